/**
 * The adoption rule: a resource with our name that the state does not know is never taken over
 * silently. It is ours only when the state shows we were creating it when a run was interrupted;
 * otherwise the person is asked (TTY) or must pass --adopt.
 */
import { AdoptionRequiredError } from "../errors";
import type { ResourceKind } from "../state/state";
import type { RunContext } from "./context";

export type AdoptionReason = "resumed" | "adopted";

/** Decides whether to use an unknown same-named resource; throws AdoptionRequiredError if not. */
export async function confirmAdoption(
  ctx: RunContext,
  kind: ResourceKind,
  label: string,
  found: { id: string; name: string },
  consequence?: string,
): Promise<AdoptionReason> {
  const pending = ctx.state.pending;
  if (pending?.kind === kind && pending.name === found.name) {
    ctx.deps.reporter.line(`found the ${label} "${found.name}" that the interrupted run was creating (id ${found.id}); using it`);
    return "resumed";
  }
  if (ctx.options.adopt) {
    ctx.deps.reporter.line(
      `adopting the existing ${label} "${found.name}" (id ${found.id}) because of --adopt${consequence ? `; ${consequence}` : ""}`,
    );
    return "adopted";
  }
  if (ctx.deps.prompter.interactive) {
    const question = `A ${label} named "${found.name}" (id ${found.id}) already exists, and ${ctx.options.statePath} does not know it.${consequence ? ` If you use it, ${consequence}.` : ""} Use it for this setup?`;
    const help = `It may come from an earlier setup whose state file is gone, or it may belong to something else. Use it only if it is yours: this setup will then manage it${consequence ? ` (${consequence})` : ""}. Otherwise stop, and choose another name.`;
    if (await ctx.deps.prompter.confirm(question, { yes: `Use the existing ${label}`, no: "Stop here", help })) return "adopted";
  }
  throw new AdoptionRequiredError(label, found.name, found.id);
}

/** Records a create's intent before sending it, so an interrupted run can recognise its own resource. */
export async function markPending(ctx: RunContext, kind: ResourceKind, name: string): Promise<void> {
  ctx.state.pending = { kind, name };
  await ctx.save();
}

/** Applies `record` to the state, clears the pending intent, and saves. */
export async function recordCreated(ctx: RunContext, record: () => void): Promise<void> {
  record();
  delete ctx.state.pending;
  await ctx.save();
}
