/**
 * `grants list` and `grants revoke` as library calls: open the grant store of an install (its
 * OAUTH_KV through the Cloudflare API, found in the provisioner's state) or of the local stack,
 * then list or revoke. The CLI and the Remote Access page share these.
 */
import { CloudflareApiError } from "../cloudflare/errors";
import { stateAccount } from "../commands/common";
import { NotSetUpError, ProvisionerError, UsageError } from "../errors";
import { defaultDeps, openContext, type ProvisionOptions, type RunDeps } from "../run/context";
import { listGrants, revokeGrants, type GrantFilter, type GrantSelector, type GrantSummary, type RevokeResult } from "./grants";
import type { KvStore, KvStoreSource } from "./kv-store";
import { cloudflareKvStore } from "./store-cloudflare";
import { openLocalKvStore } from "./store-local";

/** Where the grants are: an install on Cloudflare (via its state file), or the local stack's folder. */
export type GrantSource = { kind: "cloudflare"; options: ProvisionOptions } | { kind: "local"; dir: string };

export interface GrantsListResult {
  command: "grants list";
  ok: true;
  source: KvStoreSource;
  filter: GrantFilter;
  grants: GrantSummary[];
  api: { requests: number; writes: number };
}

export interface GrantsRevokeResult extends RevokeResult {
  command: "grants revoke";
  /** False when some grant could not be revoked (see `failed`). */
  ok: boolean;
  source: KvStoreSource;
  selector: GrantSelector;
  api: { requests: number; writes: number };
}

export async function runGrantsList(source: GrantSource, filter: GrantFilter = {}, deps: Partial<RunDeps> = {}): Promise<GrantsListResult> {
  return withGrantStore(source, deps, async (store, run) => {
    const grants = await run.reporter.wait(`reading grants from ${describeSource(store.source)}`, () => listGrants(store, filter, { now: run.now }));
    return { command: "grants list", ok: true, source: store.source, filter, grants, api: run.stats() };
  });
}

export interface RevokeOptions {
  /** No confirmation for `{ all: true }` (required when nobody can be asked). */
  yes?: boolean;
}

export async function runGrantsRevoke(source: GrantSource, selector: GrantSelector, options: RevokeOptions = {}, deps: Partial<RunDeps> = {}): Promise<GrantsRevokeResult> {
  return withGrantStore(source, deps, async (store, run) => {
    if ("all" in selector && !options.yes) {
      const count = (await listGrants(store, {}, { now: run.now })).length;
      if (!run.prompter.interactive) throw new UsageError("`grants revoke --all` signs everyone out; it needs --yes when it cannot ask.", "Add --yes to confirm.");
      if (count > 0 && !(await run.prompter.confirm(`Revoke all ${count} grant(s)? Every MCP client must sign in again.`))) {
        throw new ProvisionerError("usage", "Nothing was revoked.", "Run it again and answer yes, or choose --user, --client or --grant.");
      }
    }
    const result = await run.reporter.wait(`revoking grants in ${describeSource(store.source)}`, () =>
      revokeGrants(store, selector, { now: run.now, onProgress: (done, total) => total > 500 && run.reporter.line(`… ${done} of ${total} grants`) }),
    );
    return { command: "grants revoke", ok: result.failed.length === 0, source: store.source, selector, ...result, api: run.stats() };
  });
}

export function describeSource(source: KvStoreSource): string {
  return source.kind === "cloudflare" ? `OAUTH_KV (KV namespace ${source.namespaceId})` : `the local stack's OAUTH_KV in ${source.dir}`;
}

interface StoreRun {
  reporter: RunDeps["reporter"];
  prompter: RunDeps["prompter"];
  now: () => Date;
  stats: () => { requests: number; writes: number };
}

async function withGrantStore<T>(source: GrantSource, overrides: Partial<RunDeps>, work: (store: KvStore, run: StoreRun) => Promise<T>): Promise<T> {
  if (source.kind === "local") {
    const deps = defaultDeps(overrides);
    const store = await openLocalKvStore(source.dir);
    try {
      return await work(store, { reporter: deps.reporter, prompter: deps.prompter, now: deps.now, stats: () => ({ requests: 0, writes: 0 }) });
    } finally {
      await store.close();
    }
  }
  const { ctx, release } = await openContext(source.options, overrides, { lock: false });
  try {
    const accountId = stateAccount(ctx, "This setup");
    const namespace = ctx.state.kvNamespace;
    if (!namespace) throw new NotSetUpError("The OAuth grant store (OAUTH_KV)", ctx.options.statePath);
    const store = cloudflareKvStore(ctx.cf, accountId, namespace.id);
    const run: StoreRun = { reporter: ctx.deps.reporter, prompter: ctx.deps.prompter, now: ctx.deps.now, stats: () => ({ ...ctx.cf.stats }) };
    try {
      return await work(store, run);
    } catch (error) {
      if (error instanceof CloudflareApiError && error.isNotFound) {
        throw new ProvisionerError(
          "not_set_up",
          `The KV namespace ${namespace.id} recorded in ${ctx.options.statePath} no longer exists.`,
          "Run `setup` to create it again; the grants went with it, so every MCP client signs in again.",
        );
      }
      throw error;
    }
  } finally {
    await release();
  }
}
