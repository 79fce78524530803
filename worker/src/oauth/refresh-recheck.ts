/**
 * The OAuth library's `tokenExchangeCallback`: access that ends when it should. At the code
 * exchange it keeps the Access session in the grant only and sets the first refresh lifetime; at
 * every refresh it applies refresh-policy.ts and, when due, refreshes at Cloudflare Access (which
 * re-checks its policies). A refusal answers `invalid_grant`, which makes the library revoke the
 * grant and its tokens; an Access outage answers `temporarily_unavailable` and keeps the grant.
 */
import {
  GrantType,
  OAuthError,
  type TokenExchangeCallbackOptions,
  type TokenExchangeCallbackResult,
} from "@cloudflare/workers-oauth-provider";
import type { WorkerConfig } from "../env";
import { logEvent } from "../http/log";
import { refreshAtAccess } from "../oidc/access-refresh";
import { JwksFetchError, type JwksCache } from "../oidc/jwks-cache";
import { verifyAccessIdToken } from "../oidc/verify-access-id-token";
import { accessTokenProps, parseGrantProps, type GrantProps } from "./grant-props";
import { propsFromIdentity } from "./props";
import { decideRefresh, initialRefreshLifetime, sameUser } from "./refresh-policy";
import { configOf, type ProviderEnv } from "./request-context";
import { openSealedSecret, sealSecret } from "./sealed-secret";

export interface RefreshRecheckDeps {
  jwks: JwksCache;
  /** Current time in seconds (injected, so tests can move it). */
  nowSeconds: () => number;
}

export type TokenExchangeCallback = (
  options: TokenExchangeCallbackOptions<ProviderEnv>,
) => Promise<TokenExchangeCallbackResult | undefined>;

type Refusal =
  | "grant_outdated"
  | "max_age_reached"
  | "email_missing"
  | "email_not_allowed"
  | "no_access_refresh_token"
  | "access_refresh_token_unreadable"
  | "access_refused"
  | "access_id_token_invalid"
  | "access_identity_changed";

const SIGN_IN_AGAIN = "Sign in again from your MCP client.";
const REFUSALS: Record<Refusal, string> = {
  grant_outdated: `This sign-in was made by an earlier version of this server. ${SIGN_IN_AGAIN}`,
  max_age_reached: `This sign-in has reached the longest time this server allows. ${SIGN_IN_AGAIN}`,
  email_missing:
    "This server now admits listed email addresses only, and this sign-in has none. Sign in again with an account that shares its email.",
  email_not_allowed:
    "This account is no longer allowed on this server. Ask the server's operator, or sign in again with an allowed account.",
  no_access_refresh_token: `Cloudflare Access gave this server no way to re-check this sign-in. ${SIGN_IN_AGAIN}`,
  access_refresh_token_unreadable: `This server can no longer re-check this sign-in at Cloudflare Access (its keys changed). ${SIGN_IN_AGAIN}`,
  access_refused: `Cloudflare Access no longer accepts this sign-in: the account was removed from the application's policy or its session ended. ${SIGN_IN_AGAIN}`,
  access_id_token_invalid: `Cloudflare Access answered the re-check with an identity token this server could not verify. ${SIGN_IN_AGAIN}`,
  access_identity_changed: `Cloudflare Access now names another user for this sign-in. ${SIGN_IN_AGAIN}`,
};
const DEFAULT_RETRY_AFTER_SECONDS = "30";

/** Builds the callback. */
export function createRefreshRecheck(deps: RefreshRecheckDeps): TokenExchangeCallback {
  return async (options) => {
    const config = configOf(options.env);
    const props = parseGrantProps(options.props);
    if (!props) throw refusal("grant_outdated", options);
    const now = deps.nowSeconds();
    if (options.grantType === GrantType.AUTHORIZATION_CODE) {
      return { accessTokenProps: accessTokenProps(props), refreshTokenTTL: initialRefreshLifetime(props, config.grantLifetimes, now) };
    }
    if (options.grantType !== GrantType.REFRESH_TOKEN) return { accessTokenProps: accessTokenProps(props) };

    const decision = decideRefresh(props, config.grantLifetimes, config.allowedEmails, now);
    if (decision.kind === "refuse") throw refusal(decision.reason, options);
    const current = decision.recheck ? await recheckAtAccess(props, config, deps, now, options) : props;
    return {
      ...(current !== props ? { newProps: current } : {}),
      accessTokenProps: accessTokenProps(current),
      refreshTokenIdleTTL: decision.idleSeconds,
    };
  };
}

/** Refreshes at Access and returns the grant's props with the Access session brought up to date. */
async function recheckAtAccess(
  props: GrantProps,
  config: WorkerConfig,
  deps: RefreshRecheckDeps,
  now: number,
  options: TokenExchangeCallbackOptions<ProviderEnv>,
): Promise<GrantProps> {
  const session = props.accessSession;
  if (session.sealedRefreshToken === undefined) throw refusal("no_access_refresh_token", options);
  const refreshToken = await openSealedSecret(config.cookieKey, props.sub, session.sealedRefreshToken);
  if (refreshToken === undefined) throw refusal("access_refresh_token_unreadable", options);

  const outcome = await refreshAtAccess(config.access, refreshToken);
  if (outcome.kind === "refused")
    throw refusal("access_refused", options, { upstream_status: outcome.status, oauth_error: outcome.oauthError });
  if (outcome.kind === "unavailable") throw unavailable(outcome.reason, outcome.retryAfter, { upstream_status: outcome.status });

  if (outcome.idToken !== undefined) {
    let verified;
    try {
      verified = await verifyAccessIdToken(outcome.idToken, config.access, deps.jwks, {
        nonce: session.nonce,
        purpose: "refresh",
        nowSeconds: now,
      });
    } catch (error) {
      if (!(error instanceof JwksFetchError)) throw error;
      throw unavailable("jwks_unreachable", undefined, { detail: error.reason });
    }
    if (!verified.ok) throw refusal("access_id_token_invalid", options, { id_token_reason: verified.reason });
    if (!sameUser(props, propsFromIdentity(verified.identity))) throw refusal("access_identity_changed", options);
  }
  logEvent("info", "access_recheck_passed", {
    client_id: options.clientId,
    id_token: outcome.idToken !== undefined,
    refresh_token_rotated: outcome.refreshToken !== undefined,
  });
  const sealedRefreshToken =
    outcome.refreshToken !== undefined ? await sealSecret(config.cookieKey, props.sub, outcome.refreshToken) : session.sealedRefreshToken;
  return { ...props, accessSession: { ...session, checkedAt: now, sealedRefreshToken } };
}

/** `invalid_grant` (RFC 6749 §5.2): the library revokes the grant and its tokens before answering. */
function refusal(
  reason: Refusal,
  options: TokenExchangeCallbackOptions<ProviderEnv>,
  detail: Record<string, string | number | undefined> = {},
): OAuthError {
  logEvent("warn", "grant_refused", { reason, grant_type: options.grantType, client_id: options.clientId, ...detail });
  return new OAuthError("invalid_grant", { description: REFUSALS[reason], internal: { category: "access-recheck", reason } });
}

/** `temporarily_unavailable` with `Retry-After`: nothing issued, the grant kept for a later try. */
function unavailable(reason: string, retryAfter: string | undefined, detail: Record<string, string | number | undefined>): OAuthError {
  logEvent("error", "access_recheck_unavailable", { reason, ...detail });
  return new OAuthError("temporarily_unavailable", {
    description: "Cloudflare Access could not confirm this sign-in just now. Try again in a moment.",
    statusCode: 503,
    headers: { "Retry-After": retryAfter && /^\d{1,6}$/.test(retryAfter) ? retryAfter : DEFAULT_RETRY_AFTER_SECONDS },
    internal: { category: "access-recheck", reason },
  });
}
