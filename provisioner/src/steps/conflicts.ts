/**
 * Before anything is written: which of the names this setup would create are already taken by
 * resources the state does not know. Without a terminal to ask and without --adopt, the run stops
 * here, listing all of them, so a taken name never leaves a half-built setup behind.
 */
import { AdoptionRequiredError } from "../errors";
import type { RunContext } from "../run/context";
import { kvTitleFor } from "../resource-names";
import type { ResourceKind } from "../state/state";

interface Conflict {
  kind: ResourceKind;
  resource: string;
  name: string;
  id: string;
}

/** Lists same-named resources the state does not record (reads only). */
async function findConflicts(ctx: RunContext, accountId: string): Promise<Conflict[]> {
  const { cf, state, options } = ctx;
  const names = options.names;
  const conflicts: Conflict[] = [];
  if (!state.tunnel) {
    const [t] = await cf.tunnels.listTunnels(accountId, names.tunnel);
    if (t) conflicts.push({ kind: "tunnel", resource: "tunnel", name: t.name, id: t.id });
  }
  if (!state.vpcService) {
    const s = (await cf.tunnels.listVpcServices(accountId)).find((x) => x.name === names.vpcService);
    if (s) conflicts.push({ kind: "vpcService", resource: "Workers VPC service", name: s.name, id: s.id });
  }
  if (!state.kvNamespace) {
    const title = kvTitleFor(names.worker);
    const n = (await cf.storage.listKvNamespaces(accountId)).find((x) => x.title === title);
    if (n) conflicts.push({ kind: "kvNamespace", resource: "KV namespace", name: n.title, id: n.id });
  }
  if (!state.worker) {
    const w = (await cf.workers.listScripts(accountId)).find((x) => x.id === names.worker);
    if (w) conflicts.push({ kind: "worker", resource: "Worker", name: w.id, id: w.id });
  }
  if (!state.access) {
    const a = (await cf.access.listApps(accountId)).find((x) => x.name === names.worker && x.type === "saas");
    if (a) conflicts.push({ kind: "accessApp", resource: "Access application", name: a.name, id: a.id });
  }
  // The resource an interrupted run was creating is ours, not a conflict.
  return conflicts.filter((c) => !(state.pending?.kind === c.kind && state.pending.name === c.name));
}

/** Throws AdoptionRequiredError naming every conflict when nobody can be asked and --adopt is absent. */
export async function assertNoConflicts(ctx: RunContext, accountId: string): Promise<void> {
  if (ctx.options.adopt || ctx.deps.prompter.interactive) return;
  const conflicts = await findConflicts(ctx, accountId);
  const [first, ...more] = conflicts;
  if (first) throw new AdoptionRequiredError(first.resource, first.name, first.id, more);
  // Looked up moments ago: the steps need not list these again.
  const kinds: ResourceKind[] = ["tunnel", "vpcService", "kvNamespace", "worker", "accessApp"];
  ctx.facts.nameFree = new Set(kinds.filter((k) => !conflicts.some((c) => c.kind === k) && state(ctx, k) === undefined && ctx.state.pending?.kind !== k));
}

function state(ctx: RunContext, kind: ResourceKind): unknown {
  const s = ctx.state;
  return { tunnel: s.tunnel, vpcService: s.vpcService, kvNamespace: s.kvNamespace, worker: s.worker, accessApp: s.access }[kind];
}
