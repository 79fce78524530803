/**
 * Per-identity rate limits: one token bucket per identity (capacity `burst`, refilled at
 * `requestsPerMinute / 60` tokens a second), kept in this gateway process's memory only: each
 * gateway process counts on its own, and a restart forgets. The clock is passed in.
 */
import type { RateLimit } from "./model";

export type Admission = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number; readonly neverFits: boolean };

interface Bucket {
  tokens: number;
  at: number;
  limit: RateLimit;
}

const ADMITTED: Admission = { ok: true };
// Buckets that have refilled completely hold no information and are dropped when the map grows.
const SWEEP_AT_SIZE = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * Takes `cost` tokens from `key`'s bucket at time `nowMs`, or none at all when there are not
   * enough (then says how many whole seconds until there will be).
   */
  take(key: string, limit: RateLimit, cost: number, nowMs: number): Admission {
    const perMs = limit.requestsPerMinute / 60_000;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_AT_SIZE) this.sweep(nowMs);
      bucket = { tokens: limit.burst, at: nowMs, limit };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + Math.max(0, nowMs - bucket.at) * perMs);
      bucket.at = Math.max(bucket.at, nowMs);
      // A reloaded policy may have changed the limit: the bucket keeps its tokens, capped.
      bucket.limit = limit;
    }
    if (cost > limit.burst) return { ok: false, retryAfterSeconds: Math.ceil(60 * (cost / limit.requestsPerMinute)), neverFits: true };
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return ADMITTED;
    }
    const waitMs = (cost - bucket.tokens) / perMs;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), neverFits: false };
  }

  /** Number of identities being tracked (diagnostics and tests). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    for (const [key, { tokens, at, limit }] of this.buckets) {
      if (tokens + (nowMs - at) * (limit.requestsPerMinute / 60_000) >= limit.burst) this.buckets.delete(key);
    }
  }
}
