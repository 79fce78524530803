/**
 * A KV namespace that counts what the Worker does to it (reads, writes, deletes, lists) and passes
 * every call to the real Miniflare KV: for the KV budget measurements and for attack tests that
 * assert "nothing was written".
 */

export interface KvCounts {
  reads: number;
  writes: number;
  deletes: number;
  lists: number;
}

/** The real namespace behind a counter; `counts` is live, `reset()` zeroes it. */
export class CountingKv {
  readonly counts: KvCounts = { reads: 0, writes: 0, deletes: 0, lists: 0 };
  /** Keys written, in order (for assertions about what was stored). */
  readonly writtenKeys: string[] = [];

  constructor(private readonly inner: KVNamespace) {}

  reset(): void {
    this.counts.reads = this.counts.writes = this.counts.deletes = this.counts.lists = 0;
    this.writtenKeys.length = 0;
  }

  /** A snapshot of the counts. */
  snapshot(): KvCounts {
    return { ...this.counts };
  }

  /** The object to put in the env as OAUTH_KV. */
  binding(): KVNamespace {
    const counts = this.counts;
    const inner = this.inner;
    const writtenKeys = this.writtenKeys;
    const proxy = {
      get: (...args: Parameters<KVNamespace["get"]>) => {
        counts.reads += 1;
        return (inner.get as (...a: unknown[]) => unknown)(...args);
      },
      getWithMetadata: (...args: Parameters<KVNamespace["getWithMetadata"]>) => {
        counts.reads += 1;
        return (inner.getWithMetadata as (...a: unknown[]) => unknown)(...args);
      },
      put: (...args: Parameters<KVNamespace["put"]>) => {
        counts.writes += 1;
        writtenKeys.push(args[0]);
        return inner.put(...args);
      },
      delete: (...args: Parameters<KVNamespace["delete"]>) => {
        counts.deletes += 1;
        return inner.delete(...args);
      },
      list: (...args: Parameters<KVNamespace["list"]>) => {
        counts.lists += 1;
        return inner.list(...args);
      },
    };
    return proxy as unknown as KVNamespace;
  }
}
