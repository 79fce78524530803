/**
 * `teardown`: deletes, in order, the Access app (its policies go with it), the Worker, the KV
 * namespace, the VPC service, the tunnel's connections and the tunnel — each by the id in the
 * state, else by name (a same-named resource the state does not know needs --adopt or a yes).
 * Whatever could not be deleted stays in the state and is reported; re-run until all is gone.
 */
import { CloudflareApiError } from "../cloudflare/errors";
import { ProvisionerError, UsageError } from "../errors";
import { kvTitleFor } from "../resource-names";
import { openContext, type ProvisionOptions, type RunContext, type RunDeps } from "../run/context";
import { removeState } from "../state/files";
import { hasResources, type ResourceKind } from "../state/state";
import { accountForCleanup } from "./common";

export interface TeardownItem {
  kind: ResourceKind;
  label: string;
  name: string;
  id: string | undefined;
}

export interface TeardownResult {
  command: "teardown";
  /** True when nothing is left. */
  ok: boolean;
  deleted: TeardownItem[];
  /** Still there (and still in the state), with the reason. */
  kept: Array<TeardownItem & { reason: string }>;
  /** Same-named resources the state did not know, left alone. */
  skipped: Array<TeardownItem & { reason: string }>;
  stateRemoved: boolean;
  api: { requests: number; writes: number };
}

interface Target extends TeardownItem {
  /** Deletes the resource by id; throws AlreadyGone (or a 404) when it was already gone. */
  remove(accountId: string, id: string): Promise<void>;
  /** Looks the resource up by name; undefined when there is none. */
  lookup(accountId: string): Promise<string | undefined>;
  forget(): void;
}

export async function runTeardown(options: ProvisionOptions, deps: Partial<RunDeps> = {}): Promise<TeardownResult> {
  const { ctx, release } = await openContext(options, deps, { lock: true });
  try {
    const result: TeardownResult = { command: "teardown", ok: true, deleted: [], kept: [], skipped: [], stateRemoved: false, api: ctx.cf.stats };
    const accountId = await accountForCleanup(ctx);
    if (!accountId) {
      ctx.deps.reporter.line(`✓ nothing to tear down: ${ctx.options.statePath} records no setup`);
      return { ...result, api: { ...ctx.cf.stats } };
    }
    const targets = buildTargets(ctx);
    await confirm(ctx, targets);
    for (const target of targets) {
      ctx.checkAbort();
      await tearDown(ctx, accountId, target, result);
    }
    if (result.kept.length === 0 && !hasResources(ctx.state)) {
      await removeState(ctx.options.statePath);
      result.stateRemoved = true;
      ctx.deps.reporter.line(`✓ everything is gone; removed ${ctx.options.statePath} (${ctx.options.envFile} still holds the old tokens; delete it if you no longer need it)`);
    } else {
      await ctx.save();
      result.ok = result.kept.length === 0;
      for (const k of result.kept) ctx.deps.reporter.warn(`kept ${k.label} "${k.name}" (${k.id}): ${k.reason}`);
      if (!result.ok) ctx.deps.reporter.line(`What could not be deleted stays in ${ctx.options.statePath}; fix the cause above and run teardown again.`);
    }
    return { ...result, api: { ...ctx.cf.stats } };
  } finally {
    await release();
  }
}

function buildTargets(ctx: RunContext): Target[] {
  const { cf, state, options } = ctx;
  const names = options.names;
  const kvTitle = state.kvNamespace?.title ?? kvTitleFor(names.worker);
  return [
    {
      kind: "accessApp",
      label: "Access application",
      name: state.access?.appName ?? names.worker,
      id: state.access?.appId,
      remove: (a, id) => cf.access.deleteApp(a, id),
      lookup: async (a) => (await cf.access.listApps(a)).find((x) => x.name === names.worker && x.type === "saas")?.id,
      forget: () => delete state.access,
    },
    {
      kind: "worker",
      label: "Worker",
      name: state.worker?.name ?? names.worker,
      id: state.worker?.name,
      remove: (a, id) => cf.workers.deleteScript(a, id),
      lookup: async (a) => (await cf.workers.listScripts(a)).find((s) => s.id === names.worker)?.id,
      forget: () => {
        delete state.worker;
        if (state.secrets) delete state.secrets.pushedFingerprint;
      },
    },
    {
      kind: "kvNamespace",
      label: "KV namespace",
      name: kvTitle,
      id: state.kvNamespace?.id,
      remove: (a, id) => cf.storage.deleteKvNamespace(a, id),
      lookup: async (a) => (await cf.storage.listKvNamespaces(a)).find((n) => n.title === kvTitle)?.id,
      forget: () => delete state.kvNamespace,
    },
    {
      kind: "vpcService",
      label: "Workers VPC service",
      name: state.vpcService?.name ?? names.vpcService,
      id: state.vpcService?.id,
      remove: (a, id) => cf.tunnels.deleteVpcService(a, id),
      lookup: async (a) => (await cf.tunnels.listVpcServices(a)).find((s) => s.name === names.vpcService)?.id,
      forget: () => delete state.vpcService,
    },
    {
      kind: "tunnel",
      label: "tunnel",
      name: state.tunnel?.name ?? names.tunnel,
      id: state.tunnel?.id,
      remove: async (a, id) => {
        const tunnel = await cf.tunnels.getTunnel(a, id);
        if (!tunnel || tunnel.deletedAt !== null) throw new AlreadyGone();
        // A tunnel with live connections cannot be deleted: drop them first. Always: the tunnel
        // object's `connections` field is deprecated (documented to become empty), and this call is
        // idempotent.
        try {
          await cf.tunnels.deleteTunnelConnections(a, id).catch((error: unknown) => {
            // No connector to drop is not "the tunnel is gone": that is for the delete below to say.
            if (!(error instanceof CloudflareApiError && error.isNotFound)) throw error;
          });
          await cf.tunnels.deleteTunnel(a, id);
        } catch (error) {
          if (!(error instanceof CloudflareApiError) || error.isNotFound || error.isPermissionError || error.status === undefined || error.status >= 500) throw error;
          throw new CloudflareApiError(error.operation, error.status, error.errors, "Stop cloudflared first (it reconnects the tunnel), e.g. `docker compose stop cloudflared`, then run teardown again.");
        }
      },
      lookup: async (a) => (await cf.tunnels.listTunnels(a, names.tunnel))[0]?.id,
      forget: () => delete state.tunnel,
    },
  ];
}

class AlreadyGone extends Error {}

async function confirm(ctx: RunContext, targets: readonly Target[]): Promise<void> {
  if (ctx.options.yes) return;
  const items = targets.map((t) => `${t.label} "${t.name}"${t.id ? ` (${t.id})` : ""}`);
  const listing = items.join(", ");
  if (!ctx.deps.prompter.interactive) {
    throw new UsageError(`teardown deletes: ${listing}.`, "Pass --yes to confirm without a prompt.");
  }
  const details = {
    items,
    lead: "This deletes, from your Cloudflare account:",
    typeToConfirm: ctx.options.names.worker,
    typeWhat: "the Worker's name",
    yes: "Delete everything",
    no: "Cancel",
  };
  if (!(await ctx.deps.prompter.confirm(`This deletes: ${listing}. Continue?`, details))) {
    throw new ProvisionerError("usage", "Teardown cancelled; nothing was deleted.");
  }
}

async function tearDown(ctx: RunContext, accountId: string, target: Target, result: TeardownResult): Promise<void> {
  const { reporter } = ctx.deps;
  let id = target.id;
  if (!id) {
    try {
      id = await target.lookup(accountId);
    } catch (error) {
      result.kept.push({ ...strip(target), reason: reasonOf(error) });
      return;
    }
    if (!id) {
      // The create an interrupted run recorded never took effect: nothing to delete.
      if (ctx.state.pending?.kind === target.kind) delete ctx.state.pending;
      return;
    }
    const ours = ctx.state.pending?.kind === target.kind && ctx.state.pending.name === target.name;
    const allowed = ours || ctx.options.adopt || (ctx.deps.prompter.interactive && (await ctx.deps.prompter.confirm(`A ${target.label} named "${target.name}" (${id}) exists but ${ctx.options.statePath} does not know it. Delete it too?`, { yes: "Delete it too", no: "Leave it alone" })));
    if (!allowed) {
      result.skipped.push({ ...strip(target), id, reason: "not recorded in the state; pass --adopt to delete it too" });
      reporter.line(`· left the ${target.label} "${target.name}" (${id}) alone: the state does not know it (pass --adopt to delete it too)`);
      return;
    }
  }
  try {
    await target.remove(accountId, id);
    reporter.line(`- deleted the ${target.label} "${target.name}" (${id})`);
  } catch (error) {
    if (error instanceof AlreadyGone || (error instanceof CloudflareApiError && error.isNotFound)) {
      reporter.line(`✓ the ${target.label} "${target.name}" (${id}) was already gone`);
    } else {
      result.kept.push({ ...strip(target), id, reason: reasonOf(error) });
      return;
    }
  }
  target.forget();
  if (ctx.state.pending?.kind === target.kind) delete ctx.state.pending;
  await ctx.save();
  result.deleted.push({ ...strip(target), id });
}

function strip(target: Target): TeardownItem {
  return { kind: target.kind, label: target.label, name: target.name, id: target.id };
}

function reasonOf(error: unknown): string {
  if (error instanceof CloudflareApiError) return `${error.message} ${error.hint}`;
  if (error instanceof ProvisionerError) return error.message;
  throw error;
}
