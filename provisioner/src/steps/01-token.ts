/**
 * Step 1: the API token and the account. Verifies the token (user-owned, or account-owned through
 * the account endpoint), chooses the account, reports every missing permission by name, and stops
 * before any write when the Zero Trust organization or the workers.dev subdomain is missing, or
 * (without a terminal or --adopt) when a name the setup needs is taken by an unknown resource.
 */
import { CF_ERROR, CloudflareApiError } from "../cloudflare/errors";
import { checkToken } from "../cloudflare/probes";
import { API_TOKENS_URL } from "../cloudflare/permissions";
import type { Account, TokenStatus } from "../cloudflare/types";
import { AccountChoiceError, PermissionsMissingError, PrerequisiteError, StateError, type Prerequisite } from "../errors";
import type { RunContext } from "../run/context";
import { assertNoConflicts } from "./conflicts";
import { resolveAllow } from "./who-may-sign-in";
import type { Step, StepPlan } from "./step";

export const tokenStep: Step<StepPlan> = {
  name: "API token and account",
  readOnly: true,

  async find(ctx) {
    const { cf, deps } = ctx;
    const userToken = await verifyAsUserToken(ctx);
    const account = await resolveAccount(ctx);
    const token = userToken ?? (await verifyAccountTokenFor(ctx, account));
    assertActive(token);
    ctx.facts.tokenOwner = token.owner;
    deps.reporter.line(`✓ ${token.owner === "user" ? "user" : "account-owned"} API token is active`);
    deps.reporter.line(`✓ account ${account.name ? `${account.name} (${account.id})` : account.id}`);
    ctx.state.accountId = account.id;
    if (account.name) ctx.state.accountName = account.name;

    const check = await deps.reporter.wait("checking the token's permissions", () => checkToken(cf, account.id));
    if (check.nothingAllowed && account.named)
      throw new AccountChoiceError(`The API token can do nothing on account ${account.id}.`, namedAccountHint(ctx, account));
    if (check.missing.length > 0) throw new PermissionsMissingError(check.missing, check.unchecked);
    deps.reporter.line(
      check.organization === "absent"
        ? "✓ the token has every permission checked so far (Access is checked once Zero Trust is set up)"
        : "✓ the token has every permission the setup needs",
    );

    const problems: string[] = [];
    const absent: Prerequisite[] = [];
    if (typeof check.organization === "object") {
      ctx.facts.authDomain = check.organization.authDomain;
      deps.reporter.line(`✓ Zero Trust organization ${check.organization.authDomain}`);
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
    await resolveAllow(ctx);
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
  throw new PrerequisiteError(
    [`The API token is ${token.status}.`],
    `Create a new token at ${API_TOKENS_URL} and pass it in CLOUDFLARE_API_TOKEN.`,
  );
}

interface ChosenAccount {
  id: string;
  name: string | undefined;
  /** Named by --account-id or by the state rather than picked from GET /accounts. */
  named: "flag" | "state" | undefined;
}

/** What to check when the token cannot use the account named by --account-id or by the state. */
function namedAccountHint(ctx: RunContext, account: ChosenAccount): string {
  return account.named === "flag"
    ? `Check --account-id, and that the token's Account Resources include this account (${API_TOKENS_URL}).`
    : `This setup (${ctx.options.statePath}) is on that account: use a token whose Account Resources include it (${API_TOKENS_URL}).`;
}

/**
 * The account to work on. A known id (--account-id, or the state's) is used as given, as wrangler
 * does with CLOUDFLARE_ACCOUNT_ID: GET /accounts may be empty or refused for account-owned tokens
 * and for tokens without Account Settings Read, so it is asked only when there is a choice to make.
 * The account-token verify endpoint and the permission probes then confirm the id.
 */
async function resolveAccount(ctx: RunContext): Promise<ChosenAccount> {
  if (ctx.options.accountId && ctx.state.accountId && ctx.options.accountId !== ctx.state.accountId) {
    throw new StateError(
      `${ctx.options.statePath} belongs to account ${ctx.state.accountId}, not ${ctx.options.accountId}.`,
      "Drop --account-id to keep working on that setup, or pass another --state file.",
    );
  }
  const wanted = ctx.options.accountId ?? ctx.state.accountId;
  if (wanted)
    return {
      id: wanted,
      name: ctx.state.accountId === wanted ? ctx.state.accountName : undefined,
      named: ctx.options.accountId ? "flag" : "state",
    };
  const accounts = await ctx.cf.tokens.listAccounts();
  const chosen = await chooseAccount(ctx, accounts);
  return { id: chosen.id, name: chosen.name, named: undefined };
}

/** The account-owned token's verdict for this account; a refusal means it cannot use the account. */
async function verifyAccountTokenFor(ctx: RunContext, account: ChosenAccount): Promise<TokenStatus> {
  try {
    return await ctx.cf.tokens.verifyAccountToken(account.id);
  } catch (error) {
    if (error instanceof CloudflareApiError && (error.status === 401 || error.isPermissionError || error.hasCode(CF_ERROR.invalidToken))) {
      throw new AccountChoiceError(
        `The API token cannot use account ${account.id}.`,
        account.named ? namedAccountHint(ctx, account) : `Check the token itself at ${API_TOKENS_URL}.`,
      );
    }
    throw error;
  }
}

async function chooseAccount(ctx: RunContext, accounts: readonly Account[]): Promise<Account> {
  const listing = accounts.map((a) => `${a.id} (${a.name})`).join(", ");
  if (accounts.length === 0) {
    throw new AccountChoiceError(
      "The API token cannot list any account.",
      `Pass --account-id <id> (the id is in the dashboard's URL and on the account's overview page), or give the token access to your account at ${API_TOKENS_URL}.`,
    );
  }
  if (accounts.length === 1 && accounts[0]) return accounts[0];
  if (ctx.deps.prompter.interactive) {
    const index = await ctx.deps.prompter.choose(
      "The API token can use several accounts. Which one?",
      accounts.map((a) => `${a.name} (${a.id})`),
    );
    const chosen = accounts[index];
    if (chosen) return chosen;
  }
  throw new AccountChoiceError(`The API token can use ${accounts.length} accounts: ${listing}.`, "Pass --account-id <id> to choose one.");
}
