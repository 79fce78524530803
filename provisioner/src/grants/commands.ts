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
import { displaySafe, grantLabel } from "./present";
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
  /**
   * Ask before revoking by user, client or grant too, listing the grants (the Remote Access page
   * does); without it those revoke at once, as a scriptable command should.
   */
  confirmEach?: boolean;
}

/** What a person types to confirm revoking every grant (interfaces that can ask for it: the page). */
export const REVOKE_ALL_CONFIRMATION = "revoke all";

/** Grants listed in a confirmation, at most; the rest are counted. */
const MAX_LISTED = 50;

export async function runGrantsRevoke(source: GrantSource, selector: GrantSelector, options: RevokeOptions = {}, deps: Partial<RunDeps> = {}): Promise<GrantsRevokeResult> {
  return withGrantStore(source, deps, async (store, run) => {
    if (!options.yes && ("all" in selector || options.confirmEach)) await confirmRevoke(store, selector, run);
    const result = await run.reporter.wait(`revoking grants in ${describeSource(store.source)}`, () =>
      revokeGrants(store, selector, { now: run.now, onProgress: (done, total) => total > 500 && run.reporter.line(`… ${done} of ${total} grants`) }),
    );
    return { command: "grants revoke", ok: result.failed.length === 0, source: store.source, selector, ...result, api: run.stats() };
  });
}

/**
 * Lists what `selector` would revoke and asks; nothing to revoke asks nothing. Revoking every grant
 * needs the typed confirmation where the interface can take one; without a person to ask it stops.
 */
async function confirmRevoke(store: KvStore, selector: GrantSelector, run: StoreRun): Promise<void> {
  const all = "all" in selector;
  const grants = await run.reporter.wait(`reading the grants to revoke from ${describeSource(store.source)}`, () => listGrants(store, all ? {} : selector, { now: run.now }));
  if (all && !run.prompter.interactive) throw new UsageError("`grants revoke --all` signs everyone out; it needs --yes when it cannot ask.", "Add --yes to confirm.");
  if (grants.length === 0) return;
  const items = grants.slice(0, MAX_LISTED).map(grantLabel);
  if (grants.length > MAX_LISTED) items.push(`… and ${grants.length - MAX_LISTED} more`);
  const question =
    "all" in selector
      ? `Revoke all ${grants.length} grant(s)? Every MCP client must sign in again.`
      : "grant" in selector
        ? `Revoke grant ${displaySafe(selector.grant)}? Its MCP client must sign in again.`
        : `Revoke the ${grants.length} grant(s) of ${"user" in selector ? displaySafe(selector.user) : `client ${displaySafe(selector.client)}`}? Their MCP clients must sign in again.`;
  const details = {
    items,
    ...(all ? { lead: `This signs everyone out: all ${grants.length} grant(s) below end, and every MCP client must sign in again.` } : {}),
    help: "Revoking does not stop anyone from signing in again: change who may sign in for that.",
    yes: all ? "Revoke all" : "Revoke",
    no: "Cancel",
    ...(all ? { typeToConfirm: REVOKE_ALL_CONFIRMATION } : {}),
  };
  if (!(await run.prompter.confirm(question, details))) {
    throw new ProvisionerError("usage", "Nothing was revoked.", all ? "Run it again and answer yes, or choose --user, --client or --grant." : "Nothing changed; revoke again when you are sure.");
  }
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
