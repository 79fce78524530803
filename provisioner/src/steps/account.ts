/**
 * The account every step after the first works in: step 1 chooses it and records it in the state.
 */
import type { RunContext } from "../run/context";

/** The account chosen in step 1. */
export function requireAccount(ctx: RunContext): string {
  const accountId = ctx.state.accountId;
  if (!accountId) throw new Error("internal: no account chosen before this step");
  return accountId;
}
