/**
 * When to start cloudflared again after it exited: exponential backoff from one second up to half
 * a minute, back to one second once a run lasted a minute (it had connected; this exit is news).
 * Pure: the caller keeps the clock.
 */

export const RESTART_POLICY = { firstDelayMs: 1_000, maxDelayMs: 30_000, healthyRunMs: 60_000 } as const;

/** The wait before the next start, given how many quick exits came in a row (1 for the first). */
export function restartDelayMs(quickExitsInARow: number): number {
  return Math.min(RESTART_POLICY.firstDelayMs * 2 ** Math.max(0, quickExitsInARow - 1), RESTART_POLICY.maxDelayMs);
}

/** The count of quick exits in a row after a run of `ranMs` ended. */
export function nextQuickExits(previous: number, ranMs: number): number {
  return ranMs >= RESTART_POLICY.healthyRunMs ? 1 : previous + 1;
}
