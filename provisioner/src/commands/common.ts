/**
 * Helpers shared by the commands other than setup: which account to work on, and what a command
 * needs from the state before it can run.
 */
import { AccountChoiceError, NotSetUpError, StateError } from "../errors";
import type { RunContext } from "../run/context";

/**
 * How to restart the gateway so that it reads the env file again. A plain `docker compose restart`
 * keeps the environment the container was created with, so compose must recreate it.
 */
export const RESTART_GATEWAY =
  "`docker compose up -d --force-recreate mcp-gateway` (Docker; a plain `restart` keeps the old environment), or stop and start `npm run connect`";

/** The same for cloudflared, after its TUNNEL_TOKEN changed. */
export const RESTART_CLOUDFLARED = "`docker compose up -d --force-recreate cloudflared` (Docker), or stop and start `npm run connect`";

/** The state's account; --account-id must agree with it. */
export function stateAccount(ctx: RunContext, what: string): string {
  const accountId = ctx.state.accountId;
  if (!accountId) throw new NotSetUpError(what, ctx.options.statePath);
  if (ctx.options.accountId && ctx.options.accountId !== accountId) {
    throw new StateError(
      `${ctx.options.statePath} belongs to account ${accountId}, not ${ctx.options.accountId}.`,
      "Drop --account-id, or pass the --state file of that account's setup.",
    );
  }
  return accountId;
}

/** For teardown without a state: --account-id, or the token's only account. */
export async function accountForCleanup(ctx: RunContext): Promise<string | undefined> {
  if (ctx.state.accountId) return stateAccount(ctx, "This setup");
  if (ctx.options.accountId) return ctx.options.accountId;
  if (!ctx.options.adopt) return undefined;
  const accounts = await ctx.cf.tokens.listAccounts();
  if (accounts.length === 1 && accounts[0]) return accounts[0].id;
  throw new AccountChoiceError("The state records no account and the token can use several.", "Pass --account-id <id>.");
}
