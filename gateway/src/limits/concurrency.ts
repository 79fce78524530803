/**
 * Requests in flight per identity (`GATEWAY_MAX_CONCURRENT_PER_USER`; callers without an email
 * share one allowance). A request holds its place from the moment its caller is known until its
 * response ends, streams included, so one caller cannot tie up every connection to the upstream.
 * Over the allowance: 429 with Retry-After, and nothing is read or relayed.
 */
import { GATEWAY_ENV } from "@mcpbox/shared";
import { describeIdentity } from "../context";
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";

export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string | null, number>();

  constructor(readonly perIdentity: number) {}

  /** Requests `key` has in flight. */
  count(key: string | null): number {
    return this.inFlight.get(key) ?? 0;
  }

  /** Takes a place for `key` and returns its (idempotent) release, or undefined when none is left. */
  acquire(key: string | null): (() => void) | undefined {
    const current = this.inFlight.get(key) ?? 0;
    if (current >= this.perIdentity) return undefined;
    this.inFlight.set(key, current + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }
}

/** The refusal for a caller at its allowance (429 with Retry-After). */
export function tooManyRequests(limiter: ConcurrencyLimiter, key: string | null): Refusal {
  return refusal(
    "too_many_requests",
    `Too many requests in flight for ${describeIdentity(key)}: at most ${limiter.perIdentity} at once per user (${GATEWAY_ENV.maxConcurrentPerUser}); wait for one to finish and retry`,
  );
}
