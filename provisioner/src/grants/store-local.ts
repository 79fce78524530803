/**
 * The grant store of the local stack (`npm start`): the Worker's OAUTH_KV as Miniflare persists it
 * under `<dev dir>/worker-storage`. It is opened with Miniflare's own API — a second, minimal
 * Miniflare on the same persistence path — so the on-disk format stays Miniflare's business; this
 * works while the stack runs (both see the same SQLite store) and while it is stopped.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { LOCAL_STACK_STATE, WORKER_BINDINGS } from "@mcpbox/shared";
import { KV_BULK_GET_LIMIT, KV_LIST_LIMIT } from "../cloudflare/api-kv";
import { PrerequisiteError } from "../errors";
import type { KvKey, KvStore } from "./kv-store";

/**
 * The part of the Workers KV binding used here. Miniflare types its bindings with
 * @cloudflare/workers-types, which this repository does not install (the Worker's types come from
 * `wrangler types`), so its return type is declared here instead.
 */
interface LocalKvBinding {
  list(options: { prefix: string; limit: number; cursor?: string }): Promise<{
    keys: Array<{ name: string; expiration?: number; metadata?: unknown }>;
    list_complete: boolean;
    cursor?: string;
  }>;
  get(name: string, type: "text"): Promise<string | null>;
  delete(name: string): Promise<void>;
}

/** The Worker Miniflare needs to expose a KV binding; it is never reached. */
const PLACEHOLDER_WORKER = "export default { fetch() { return new Response(null, { status: 404 }); } };";
/** Any date works: only the KV binding is used. */
const COMPATIBILITY_DATE = "2025-01-01";

/** The folder `npm start` keeps its state in: `dir`, else MCPBOX_DEV_DIR, else `.mcpbox-dev` (from `cwd`). */
export function localStackDir(dir: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): string {
  return path.resolve(cwd, dir ?? (env[LOCAL_STACK_STATE.dirEnv]?.trim() || LOCAL_STACK_STATE.defaultDir));
}

/** Opens the local stack's OAUTH_KV in `dir` (the stack's state folder). */
export async function openLocalKvStore(dir: string): Promise<KvStore> {
  const persistPath = path.join(dir, LOCAL_STACK_STATE.workerStorage);
  const found = await stat(persistPath).then(
    (s) => s.isDirectory(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return false;
      throw error;
    },
  );
  if (!found) {
    throw new PrerequisiteError(
      [`No local stack state in ${dir} (no ${LOCAL_STACK_STATE.workerStorage} folder).`],
      `Start the local stack once with \`npm start\` and sign in from an MCP client, or point --dev-dir (or ${LOCAL_STACK_STATE.dirEnv}) at the folder it uses.`,
    );
  }
  // Loaded only here: the Cloudflare-API commands never start workerd.
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: PLACEHOLDER_WORKER,
      compatibilityDate: COMPATIBILITY_DATE,
      kvNamespaces: [WORKER_BINDINGS.oauthKv],
      resourcePersistencePath: persistPath,
      host: "127.0.0.1",
      port: 0,
    }),
  );
  try {
    const kv = (await miniflare.getKVNamespace(WORKER_BINDINGS.oauthKv)) as unknown as LocalKvBinding;
    return {
      source: { kind: "local", dir },
      maxGetBatch: KV_BULK_GET_LIMIT,
      async listKeys(prefix, cursor) {
        const page = await kv.list({ prefix, limit: KV_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
        const keys: KvKey[] = page.keys.map((k) => ({
          name: k.name,
          ...(k.expiration !== undefined ? { expiration: k.expiration } : {}),
          ...(k.metadata !== undefined && k.metadata !== null ? { metadata: k.metadata } : {}),
        }));
        return { keys, cursor: page.list_complete ? undefined : page.cursor };
      },
      async getValues(names) {
        const values = await Promise.all(names.map((name) => kv.get(name, "text")));
        return new Map(names.map((name, i) => [name, values[i] ?? null]));
      },
      async deleteKeys(names) {
        await Promise.all(names.map((name) => kv.delete(name)));
        return [];
      },
      close: () => miniflare.dispose(),
    };
  } catch (error) {
    await miniflare.dispose();
    throw error;
  }
}
