/**
 * Per-key serialisation inside one isolate: work for the same key (one authorization code, one
 * refresh token) runs one at a time, in arrival order. KV has no compare-and-set, so this is what
 * makes concurrent duplicates that reach the same isolate deterministic; docs/decisions.md
 * describes the window that remains across isolates and locations.
 */

/** A set of locks, one per key; keys are dropped once nothing waits on them. */
export class KeyLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` once every earlier `run` for `key` has finished. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with work running or waiting (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
