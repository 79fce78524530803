/**
 * Who may sign in (`--allow`), resolved once per run before anything is written: from the flag,
 * else the state, else a question on a terminal. The same rule feeds the Access policy, the
 * Worker's ALLOWED_EMAILS and the gateway's MCPBOX_ALLOWED_EMAILS, so the three agree.
 */
import { ALLOW_FORMAT, parseAllowFlag } from "../allow";
import { UsageError } from "../errors";
import type { RunContext } from "../run/context";
import type { AllowRule } from "../state/state";

/** The run's allow rule; asks at most once. Throws UsageError without a terminal and without --allow. */
export async function resolveAllow(ctx: RunContext): Promise<AllowRule> {
  if (ctx.facts.allow) return ctx.facts.allow;
  let allow = ctx.options.allow ?? ctx.state.allow;
  if (!allow && ctx.deps.prompter.interactive) {
    allow = parseAllowFlag(await ctx.deps.prompter.ask("Who may sign in? everyone | emails:you@example.com,… | domain:example.com:"));
  }
  if (!allow) throw new UsageError("Say who may sign in at Cloudflare Access.", `Pass ${ALLOW_FORMAT}.`);
  ctx.facts.allow = allow;
  // Recorded at once, so that a run stopped before the Access step resumes without the flag.
  ctx.state.allow = allow;
  return allow;
}

/** The rule resolved earlier in this run (step 1 resolves it before any write). */
export function runAllow(ctx: RunContext): AllowRule {
  const allow = ctx.facts.allow ?? ctx.state.allow;
  if (!allow) throw new Error("internal: the allow rule is resolved in step 1");
  return allow;
}
