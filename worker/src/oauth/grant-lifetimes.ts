/**
 * How long a grant (the chain of refresh tokens an MCP client holds) may live, and how often a
 * refresh re-checks the user at Cloudflare Access: four optional Worker variables with safe
 * defaults. Whatever the refresh lifetimes, no grant outlives GRANT_MAX_AGE_SECONDS.
 */
import {
  DEFAULT_ACCESS_RECHECK_SECONDS,
  DEFAULT_GRANT_MAX_AGE_SECONDS,
  DEFAULT_REFRESH_TOKEN_IDLE_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  WORKER_VAR_NAMES,
} from "@mcpbox/shared";
import { ConfigError } from "../http/errors";

export interface GrantLifetimes {
  /** How long the refresh token issued at sign-in stays usable if it is never used. */
  readonly refreshTokenTtlSeconds: number;
  /** After each refresh, how long until the grant ends unless it is refreshed again. */
  readonly refreshTokenIdleSeconds: number;
  /** The most time after the Access sign-in a grant may live, however often it is refreshed. */
  readonly grantMaxAgeSeconds: number;
  /** A refresh re-checks the user at Access when the last check is at least this old (0: every refresh). */
  readonly accessRecheckSeconds: number;
}

/** Cloudflare KV's shortest expiration, and so the shortest refresh lifetime the OAuth library accepts. */
export const MIN_REFRESH_LIFETIME_SECONDS = 60;
const MIN_GRANT_MAX_AGE_SECONDS = 300;
const MAX_LIFETIME_SECONDS = 31_536_000;
const MAX_ACCESS_RECHECK_SECONDS = 86_400;

/**
 * Reads the four settings from the Worker's raw env; a bad value is a ConfigError naming it. A
 * refresh lifetime longer than the maximum age is allowed: refresh-policy.ts caps every lifetime
 * at the maximum age, so lowering GRANT_MAX_AGE_SECONDS alone is enough.
 */
export function parseGrantLifetimes(raw: Record<string, unknown>): GrantLifetimes {
  const names = WORKER_VAR_NAMES;
  return Object.freeze({
    refreshTokenTtlSeconds: seconds(
      raw,
      names.refreshTokenTtlSeconds,
      DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
      MIN_REFRESH_LIFETIME_SECONDS,
      MAX_LIFETIME_SECONDS,
    ),
    refreshTokenIdleSeconds: seconds(
      raw,
      names.refreshTokenIdleSeconds,
      DEFAULT_REFRESH_TOKEN_IDLE_SECONDS,
      MIN_REFRESH_LIFETIME_SECONDS,
      MAX_LIFETIME_SECONDS,
    ),
    grantMaxAgeSeconds: seconds(
      raw,
      names.grantMaxAgeSeconds,
      DEFAULT_GRANT_MAX_AGE_SECONDS,
      MIN_GRANT_MAX_AGE_SECONDS,
      MAX_LIFETIME_SECONDS,
    ),
    accessRecheckSeconds: seconds(raw, names.accessRecheckSeconds, DEFAULT_ACCESS_RECHECK_SECONDS, 0, MAX_ACCESS_RECHECK_SECONDS),
  });
}

function seconds(raw: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const value = raw[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") throw new ConfigError(name, "invalid", "not a string");
  const text = value.trim();
  if (text === "") return fallback;
  const parsed = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new ConfigError(name, "invalid", `expected whole seconds from ${min} to ${max}`);
  }
  return parsed;
}
