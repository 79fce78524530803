/**
 * Step 1: the API token and the account. Verifies the token (user-owned, or account-owned through
 * the account endpoint), chooses the account, reports every missing permission by name, and stops
 * before any write when the Zero Trust organization or the workers.dev subdomain is missing, or
 * (without a terminal or --adopt) when a name the setup needs is taken by an unknown resource.
 */
import { CF_ERROR, CloudflareApiError } from "../cloudflare/errors";
import { findMissingPermissions } from "../cloudflare/probes";
import { API_TOKENS_URL } from "../cloudflare/permissions";
import type { Account, TokenStatus } from "../cloudflare/types";
import { AccountChoiceError, PermissionsMissingError, PrerequisiteError, StateError, type Prerequisite } from "../errors";
import type { RunContext } from "../run/context";
import { assertNoConflicts } from "./conflicts";
import type { Step, StepPlan } from "./step";

export const tokenStep: Step<StepPlan> = {
  name: "API token and account",
  readOnly: true,

  async find(ctx) {
    const { cf, deps } = ctx;
    const userToken = await verifyAsUserToken(ctx);
    const accounts = await cf.tokens.listAccounts();
    const account = await chooseAccount(ctx, accounts);
    const token = userToken ?? (await cf.tokens.verifyAccountToken(account.id));
    assertActive(token);
    ctx.facts.tokenOwner = token.owner;
    deps.reporter.line(`✓ ${token.owner === "user" ? "user" : "account-owned"} API token is active`);
    deps.reporter.line(`✓ account ${account.name} (${account.id})`);
    ctx.state.accountId = account.id;
    ctx.state.accountName = account.name;

    const missing = await deps.reporter.wait("checking the token's permissions", () => findMissingPermissions(cf, account.id));
    if (missing.length > 0) throw new PermissionsMissingError(missing);
    deps.reporter.line("✓ the token has every permission the setup needs");

    const problems: string[] = [];
    const absent: Prerequisite[] = [];
    const org = await cf.access.getOrganization(account.id);
    if (org) {
      ctx.facts.authDomain = org.authDomain;
      deps.reporter.line(`✓ Zero Trust organization ${org.authDomain}`);
    } else {
      problems.push("This account has no Zero Trust organization yet.");
      absent.push("zero-trust-organization");
    }
    try {
      ctx.facts.workersSubdomain = await cf.workers.getAccountSubdomain(account.id);
      deps.reporter.line(`✓ workers.dev subdomain ${ctx.facts.workersSubdomain}.workers.dev`);
    } catch (error) {
      if (!(error instanceof CloudflareApiError && error.hasCode(CF_ERROR.workersNotFound))) throw error;
      problems.push("This account has no workers.dev subdomain yet.");
      absent.push("workers-dev-subdomain");
    }
    if (problems.length > 0) {
      throw new PrerequisiteError(
        problems,
        [
          "Set these up once in the Cloudflare dashboard, then run setup again (nothing was changed):",
          "- Zero Trust: open https://one.dash.cloudflare.com, pick a team name, and choose the Free plan.",
          "- workers.dev: open Workers & Pages at https://dash.cloudflare.com; the first visit offers a workers.dev subdomain.",
        ].join("\n"),
        absent,
      );
    }
    await assertNoConflicts(ctx, account.id);
    return { work: [] };
  },

  async create() {},

  async verify() {},
};

/** The user-token verdict, or undefined when the token is account-owned (401 at the user endpoint). */
async function verifyAsUserToken(ctx: RunContext): Promise<TokenStatus | undefined> {
  try {
    return await ctx.cf.tokens.verifyUserToken();
  } catch (error) {
    if (error instanceof CloudflareApiError && (error.status === 401 || error.hasCode(CF_ERROR.invalidToken))) return undefined;
    throw error;
  }
}

function assertActive(token: TokenStatus): void {
  if (token.status === "active") return;
  throw new PrerequisiteError([`The API token is ${token.status}.`], `Create a new token at ${API_TOKENS_URL} and pass it in CLOUDFLARE_API_TOKEN.`);
}

async function chooseAccount(ctx: RunContext, accounts: readonly Account[]): Promise<Account> {
  const listing = accounts.map((a) => `${a.id} (${a.name})`).join(", ");
  if (accounts.length === 0) {
    throw new AccountChoiceError("The API token cannot see any account.", `Give the token access to your account at ${API_TOKENS_URL}.`);
  }
  const wanted = ctx.options.accountId ?? ctx.state.accountId;
  if (ctx.options.accountId && ctx.state.accountId && ctx.options.accountId !== ctx.state.accountId) {
    throw new StateError(
      `${ctx.options.statePath} belongs to account ${ctx.state.accountId}, not ${ctx.options.accountId}.`,
      "Drop --account-id to keep working on that setup, or pass another --state file.",
    );
  }
  if (wanted) {
    const match = accounts.find((a) => a.id === wanted);
    if (match) return match;
    throw new AccountChoiceError(`The API token cannot use account ${wanted}.`, `Accounts it can use: ${listing}. Check --account-id, or the token's account resources.`);
  }
  if (accounts.length === 1 && accounts[0]) return accounts[0];
  if (ctx.deps.prompter.interactive) {
    const index = await ctx.deps.prompter.choose("The API token can use several accounts. Which one?", accounts.map((a) => `${a.name} (${a.id})`));
    const chosen = accounts[index];
    if (chosen) return chosen;
  }
  throw new AccountChoiceError(`The API token can use ${accounts.length} accounts: ${listing}.`, "Pass --account-id <id> to choose one.");
}
