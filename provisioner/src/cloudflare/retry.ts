/**
 * Retry policy for Cloudflare API calls: only 429 and 5xx answers are retried (and dropped
 * connections, for idempotent calls only), honouring Retry-After, else exponential backoff.
 * Pure functions; the caller supplies `now`, randomness and the sleep.
 */

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on how long a Retry-After header may make us wait. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** What went wrong with one attempt: an HTTP status, or no response at all. */
export type AttemptFailure = { kind: "status"; status: number; retryAfter: string | null } | { kind: "connection" };

/** True when the failure is worth another attempt (RFC 9110 §15.6 server errors, RFC 6585 §4 429). */
export function isRetryable(failure: AttemptFailure, idempotent: boolean): boolean {
  if (failure.kind === "connection") return idempotent;
  return failure.status === 429 || failure.status >= 500;
}

/**
 * Milliseconds to wait before attempt number `attempt + 1` (attempt counts from 1).
 * Retry-After (RFC 9110 §10.2.3) may be delay-seconds or an HTTP-date.
 */
export function retryDelayMs(failure: AttemptFailure, attempt: number, policy: RetryPolicy, now: number, random: () => number): number {
  if (failure.kind === "status" && failure.retryAfter) {
    const fromHeader = parseRetryAfter(failure.retryAfter, now);
    if (fromHeader !== undefined) return Math.min(fromHeader, policy.maxRetryAfterMs);
  }
  const exponential = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  // Up to 25 % jitter so that parallel runs do not retry in lockstep.
  return Math.round(exponential * (1 - random() * 0.25));
}

/** Parses a Retry-After value into milliseconds from `now`; undefined when unreadable. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
