/**
 * Runs the Worker locally in Miniflare (Node API), the way the tests, the benchmark and
 * `npm start` need it: the production bundle from `wrangler deploy --dry-run`, the settings
 * from wrangler.toml, given secrets, and MCPBOX_TUNNEL as a service binding to a loopback gateway.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { WORKER_BINDINGS, WORKER_SECRET_NAMES, type WorkerSecretName, QUIET_WRANGLER_ENV } from "@mcpbox/shared";
import { REPO_ROOT, WRANGLER_CONFIG, readWorkerSettings } from "./wrangler-settings";

export interface WorkerBundle {
  /** Directory holding the bundle. */
  dir: string;
  /** The entry module (`index.js`). */
  entry: string;
  /** Size of all emitted JavaScript, raw and gzipped. */
  bytes: number;
  gzipBytes: number;
  /** The entry module's source, for inspection (e.g. which packages were bundled). */
  source: string;
}

/**
 * Bundles the Worker exactly as a deploy would (`wrangler deploy --dry-run --outdir`), offline.
 * `configPath` names another wrangler configuration (the tests' fixture Workers); `entryPoint`
 * replaces its `main` (the benchmark's instrumented entry, a file named index.ts).
 */
export async function buildWorkerBundle(outDir?: string, configPath = WRANGLER_CONFIG, entryPoint?: string): Promise<WorkerBundle> {
  const dir = outDir ?? (await mkdtemp(path.join(os.tmpdir(), "mcpbox-worker-bundle-")));
  const wrangler = path.join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = [wrangler, "deploy", "--dry-run", "--outdir", dir, "--config", configPath, ...(entryPoint ? [entryPoint] : [])];
  await run(process.execPath, args, REPO_ROOT);
  const files = (await readdir(dir)).filter((file) => file.endsWith(".js") || file.endsWith(".mjs"));
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = await readFile(path.join(dir, file));
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  const entry = path.join(dir, "index.js");
  return { dir, entry, bytes, gzipBytes, source: await readFile(entry, "utf8") };
}

export interface WorkerRunOptions {
  bundle: Pick<WorkerBundle, "entry">;
  /** Every Worker secret (MCPBOX_SERVICE_TOKEN, ACCESS_*, COOKIE_ENCRYPTION_KEY). */
  secrets: Record<WorkerSecretName, string>;
  /** Overrides of wrangler.toml `[vars]`. */
  vars?: Record<string, string>;
  /** The gateway the MCPBOX_TUNNEL binding reaches: `127.0.0.1:<port>` (HTTP). */
  tunnelAddress: string;
  /** Port for the Worker's own HTTP listener on 127.0.0.1 (0 picks one). */
  port?: number;
  /** Directory to persist KV into (Miniflare's resource persistence path); a temporary one when absent. */
  kvPersistDir?: string;
  /**
   * Also serve the Worker on a socket of its own that skips Miniflare's entry worker (its
   * request logging, pretty error pages and `cf` object): 0 picks a port, undefined adds none.
   */
  directPort?: number;
  /** Open workerd's V8 inspector on this port (0 picks one; `miniflare.getInspectorURL()` tells it). */
  inspectorPort?: number;
  /** Receives the Worker's console output (one structured log line each); Miniflare prints it when absent. */
  onLog?: (level: WorkerLogLevel, message: string) => void;
}

export type WorkerLogLevel = "debug" | "info" | "warn" | "error";

export interface RunningWorker {
  miniflare: Miniflare;
  /** `http://127.0.0.1:<port>`: Miniflare's entry socket. */
  url: string;
  /** `http://127.0.0.1:<port>` of the direct socket, when one was asked for. */
  directUrl?: string;
  /** Sends a request into the Worker (any URL; the Worker sees it as given). */
  dispatchFetch(request: Request): Promise<Response>;
  dispose(): Promise<void>;
}

/** Starts the bundled Worker in Miniflare. */
export async function startWorkerInMiniflare(options: WorkerRunOptions): Promise<RunningWorker> {
  const settings = readWorkerSettings();
  for (const name of WORKER_SECRET_NAMES) {
    if (!options.secrets[name]) throw new Error(`secret ${name} is required to run the Worker`);
  }
  // Miniflare 5 takes the new options shape; the v4 (flat) shape converts one to one.
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      name: settings.name,
      modules: true,
      scriptPath: options.bundle.entry,
      // Module names are paths relative to this root; the bundle lives outside the working directory.
      modulesRoot: path.dirname(options.bundle.entry),
      compatibilityDate: settings.compatibilityDate,
      compatibilityFlags: settings.compatibilityFlags,
      bindings: { ...settings.vars, ...options.vars, ...options.secrets },
      kvNamespaces: [WORKER_BINDINGS.oauthKv],
      ratelimits: settings.ratelimits,
      // Miniflare 5 persists every local resource under one path (its v4 `kvPersist` is gone).
      ...(options.kvPersistDir ? { resourcePersistencePath: options.kvPersistDir } : {}),
      // No per-request log line from Miniflare's entry worker: the gateway's audit log already
      // records each MCP call.
      logRequests: false,
      ...(options.onLog
        ? { handleStructuredLogs: ({ level, message }: { level: string; message: string }) => options.onLog?.(logLevel(level), message) }
        : {}),
      serviceBindings: { [WORKER_BINDINGS.tunnel]: { external: { address: options.tunnelAddress, http: {} } } },
      host: "127.0.0.1",
      port: options.port ?? 0,
      ...(options.directPort !== undefined ? { unsafeDirectSockets: [{ host: "127.0.0.1", port: options.directPort }] } : {}),
      ...(options.inspectorPort !== undefined ? { inspectorPort: options.inspectorPort } : {}),
    }),
  );
  const url = (await miniflare.ready).origin;
  const directUrl = options.directPort !== undefined ? (await miniflare.unsafeGetDirectURL()).origin : undefined;
  return {
    miniflare,
    url,
    ...(directUrl ? { directUrl } : {}),
    async dispatchFetch(request) {
      const body = request.body ? await request.arrayBuffer() : undefined;
      const response = await miniflare.dispatchFetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body,
        redirect: "manual",
      });
      const headers = new Headers();
      for (const [name, value] of response.headers) headers.append(name, value);
      return new Response(response.body as ReadableStream | null, { status: response.status, headers });
    },
    dispose: () => miniflare.dispose(),
  };
}

function logLevel(level: string): WorkerLogLevel {
  return level === "error" || level === "warn" || level === "debug" ? level : "info";
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...QUIET_WRANGLER_ENV }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[1] ?? command)} exited with ${code}:\n${output.slice(-2000)}`)),
    );
  });
}
