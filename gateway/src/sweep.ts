/**
 * Coarse deadlines without a timer per request. Node's setTimeout allocates a Timeout and, when its
 * duration's list was empty (one caller at a time: every call), creates the list again and re-arms
 * libuv's timer; clearTimeout undoes it. For a deadline that is seconds long and may fire a little
 * late (the upstream's answer timeout, an SSE stream's keepalive), one interval that looks at every
 * waiting entry a few times per deadline costs less: adding and removing an entry relinks two
 * pointers of the entry itself (docs/decisions.md, 2026-11-27, "deadlines on a sweep").
 */
import { performance } from "node:perf_hooks";

/** An object a Sweep looks at: linked in place, so that listing it allocates nothing. */
export interface Swept {
  /** The Sweep's links; undefined while not listed. */
  sweepPrev: Swept | undefined;
  sweepNext: Swept | undefined;
  /** Runs on each tick while listed, with `performance.now()`; may remove this or any entry. */
  onSweep(now: number): void;
}

/** Granularity for deadlines of `ms`: a quarter of it, at most a second. */
export function sweepPeriodFor(ms: number): number {
  return Math.max(1, Math.min(1_000, Math.floor(ms / 4)));
}

/**
 * Entries looked at every `periodMs`. The interval runs only while there are entries (it stops
 * on the first tick that finds none, not on each removal: traffic one call at a time would
 * otherwise start and stop it on every call) and never keeps the process alive by itself.
 */
export class Sweep {
  private head: Swept | undefined;
  private timer: NodeJS.Timeout | undefined;
  // Reused between ticks: the entries due a look, collected before any runs (an entry's onSweep
  // may remove others).
  private readonly due: Swept[] = [];

  constructor(readonly periodMs: number) {}

  /** Lists `entry` (no-op when it already is). */
  add(entry: Swept): void {
    if (this.has(entry)) return;
    entry.sweepNext = this.head;
    if (this.head) this.head.sweepPrev = entry;
    this.head = entry;
    if (!this.timer) {
      this.timer = setInterval(this.tick, this.periodMs);
      this.timer.unref();
    }
  }

  /** Unlists `entry` (no-op when it is not listed). */
  remove(entry: Swept): void {
    const { sweepPrev: prev, sweepNext: next } = entry;
    if (prev) prev.sweepNext = next;
    else if (this.head === entry) this.head = next;
    else return;
    if (next) next.sweepPrev = prev;
    entry.sweepPrev = undefined;
    entry.sweepNext = undefined;
  }

  /** True while the interval runs (from the first add until a tick finds nothing listed). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** True while `entry` is listed. */
  has(entry: Swept): boolean {
    return entry.sweepPrev !== undefined || this.head === entry;
  }

  /** Stops the interval and unlists every entry. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.head) this.remove(this.head);
  }

  private readonly tick = (): void => {
    if (!this.head) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const due = this.due;
    for (let entry: Swept | undefined = this.head; entry; entry = entry.sweepNext) due.push(entry);
    const now = performance.now();
    try {
      for (const entry of due) if (this.has(entry)) entry.onSweep(now);
    } finally {
      due.length = 0;
    }
  };
}
