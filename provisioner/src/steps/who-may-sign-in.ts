/**
 * Who may sign in (`--allow`), resolved in step 1 before anything is written: from the flag, else
 * the state, else a question. The same rule feeds the Access policy, the Worker's ALLOWED_EMAILS
 * and the gateway's MCPBOX_ALLOWED_EMAILS, so the three agree.
 *
 * A run that stops before the Access step (the web wizard's screens 1-4, which ask who may sign in
 * on screen 5) is not asked: it uses a rule the flag or the state already has, or none. Without a
 * rule the Worker is uploaded without an email allowlist and the env file's MCPBOX_ALLOWED_EMAILS is
 * left alone; nobody can sign in through such a Worker, since its secrets are pushed only in the
 * Access step, which runs step 4 again with the rule first.
 */
import { ALLOW_FORMAT, parseAllowFlag } from "../allow";
import { UsageError } from "../errors";
import type { RunContext } from "../run/context";
import type { AllowRule } from "../state/state";

/**
 * The run's allow rule; asks at most once. Throws UsageError when the run needs a rule and nobody
 * can be asked; returns undefined only when the run stops before the Access step and has none.
 */
export async function resolveAllow(ctx: RunContext): Promise<AllowRule | undefined> {
  if (ctx.facts.allow) return ctx.facts.allow;
  let allow = ctx.options.allow ?? ctx.state.allow;
  if (!allow && ctx.facts.stopsBeforeAccess) return undefined;
  if (!allow && ctx.deps.prompter.interactive) {
    allow = parseAllowFlag(await ctx.deps.prompter.ask("Who may sign in? everyone | emails:you@example.com,… | domain:example.com:"));
  }
  if (!allow) throw new UsageError("Say who may sign in at Cloudflare Access.", `Pass ${ALLOW_FORMAT}.`);
  ctx.facts.allow = allow;
  // Recorded at once, so that a run stopped before the Access step resumes without the flag.
  ctx.state.allow = allow;
  return allow;
}

/** The rule resolved in step 1; undefined only in a run that stops before the Access step without one. */
export function runAllow(ctx: RunContext): AllowRule | undefined {
  return ctx.facts.allow ?? ctx.state.allow;
}

/** The rule for the steps that apply it to Access (step 1 resolved it, since the run reaches them). */
export function requireAllow(ctx: RunContext): AllowRule {
  const allow = runAllow(ctx);
  if (!allow) throw new Error("internal: the allow rule is resolved in step 1 of a run that reaches the Access step");
  return allow;
}
