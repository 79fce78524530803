/**
 * Coarse deadlines for the hot path: one interval checks every pending deadline, so arming and
 * cancelling one costs a Set operation instead of a timer. A deadline fires within one step after
 * it is due; the interval runs only while deadlines are pending (it stops at the first step that
 * finds none, so a quiet gateway has no timer at all).
 */

export interface Deadline {
  readonly due: number;
  readonly fire: () => void;
}

export class Deadlines {
  private readonly pending = new Set<Deadline>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `stepMs`: how late a deadline may fire at most. */
  constructor(
    private readonly stepMs: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Calls `fire` once `ms` have passed, unless cancelled first. */
  after(ms: number, fire: () => void): Deadline {
    const deadline = { due: this.now() + ms, fire };
    this.pending.add(deadline);
    if (!this.timer) {
      this.timer = setInterval(this.step, this.stepMs);
      this.timer.unref();
    }
    return deadline;
  }

  cancel(deadline: Deadline): void {
    this.pending.delete(deadline);
  }

  /** Cancels everything (shutdown). */
  clear(): void {
    this.pending.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly step = (): void => {
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = this.now();
    for (const deadline of this.pending) {
      if (deadline.due > now) continue;
      this.pending.delete(deadline);
      deadline.fire();
    }
  };
}
