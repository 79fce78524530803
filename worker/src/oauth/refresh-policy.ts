/**
 * The pure rules a refresh at our token endpoint must pass before any token is issued: the grant's
 * maximum age, ALLOWED_EMAILS as it is configured now, whether Cloudflare Access must confirm the
 * user again, and whether a refreshed id_token still names the same user. Time is an argument.
 */
import { isEmailAllowed, type EmailAllowlist } from "@mcpbox/shared";
import { MIN_REFRESH_LIFETIME_SECONDS, type GrantLifetimes } from "./grant-lifetimes";
import type { GrantProps } from "./grant-props";
import type { AuthProps } from "./props";

export type RefreshRefusal = "max_age_reached" | "email_missing" | "email_not_allowed";

export type RefreshDecision =
  | { kind: "refuse"; reason: RefreshRefusal }
  /** Go on; `recheck` says whether Access must confirm the user first. */
  | { kind: "proceed"; recheck: boolean; idleSeconds: number };

/**
 * Decides a refresh of `props` at `nowSeconds`. The grant ends GRANT_MAX_AGE_SECONDS after the
 * Access sign-in (and its next idle window never reaches past that); the user's email must pass
 * ALLOWED_EMAILS as configured now; Access is asked again once ACCESS_RECHECK_SECONDS have passed
 * since it last confirmed the user. (RFC 9700 §4.14.2: refresh tokens should expire after a time
 * of inactivity, and may be revoked when the user's standing changes.)
 */
export function decideRefresh(props: GrantProps, lifetimes: GrantLifetimes, allowed: EmailAllowlist, nowSeconds: number): RefreshDecision {
  const session = props.accessSession;
  const remaining = session.signedInAt + lifetimes.grantMaxAgeSeconds - nowSeconds;
  if (remaining < MIN_REFRESH_LIFETIME_SECONDS) return { kind: "refuse", reason: "max_age_reached" };
  if (!allowed.allowsAnyone) {
    if (props.email === undefined) return { kind: "refuse", reason: "email_missing" };
    if (!isEmailAllowed(allowed, props.email)) return { kind: "refuse", reason: "email_not_allowed" };
  }
  const sinceCheck = nowSeconds - session.checkedAt;
  // A check time in the future (a clock step) counts as due rather than as fresh.
  const recheck = sinceCheck >= lifetimes.accessRecheckSeconds || sinceCheck < 0;
  return { kind: "proceed", recheck, idleSeconds: Math.min(lifetimes.refreshTokenIdleSeconds, remaining) };
}

/** The first refresh token's lifetime at the code exchange: REFRESH_TOKEN_TTL_SECONDS, within the maximum age. */
export function initialRefreshLifetime(props: GrantProps, lifetimes: GrantLifetimes, nowSeconds: number): number {
  const remaining = props.accessSession.signedInAt + lifetimes.grantMaxAgeSeconds - nowSeconds;
  return Math.max(MIN_REFRESH_LIFETIME_SECONDS, Math.min(lifetimes.refreshTokenTtlSeconds, remaining));
}

/**
 * Whether a refreshed, verified identity is still the grant's user (OIDC Core §12.2: same `sub`).
 * An email the new token carries must be the grant's; a token without one keeps the grant's.
 */
export function sameUser(props: AuthProps, refreshed: AuthProps): boolean {
  if (refreshed.sub !== props.sub) return false;
  return refreshed.email === undefined || refreshed.email.toLowerCase() === props.email?.toLowerCase();
}
