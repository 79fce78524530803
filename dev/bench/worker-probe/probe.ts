/**
 * Bench-only instrumentation that runs inside workerd around the unchanged production bundle:
 * counts what the Worker does per request (KV calls by method, `crypto.subtle` calls by kind,
 * service binding fetches) and times it (the handler's wall time, and the time spent waiting for
 * KV and for service bindings, so the Worker's own time is the difference). probe-worker.ts
 * bundles it with the Worker behind a generated entry; nothing here reaches the deployed Worker.
 * Requests must come one at a time: the counters are per isolate, not per request, and
 * `maxInFlight` reports whether that held.
 *
 * Local workerd advances `performance.now()` during execution with a 1 ms granularity (the
 * edge freezes it between I/O), so single requests read as 0 or 1 ms; sums over hundreds of
 * requests starting at random phases give unbiased means.
 */

import { countSubtleCalls } from "../../src/test-kit/subtle-counter";

/** The probe's own path: GET returns the counters (JSON); `?reset=1` also zeroes them. */
export const PROBE_PATH = "/__mcpbox-bench-probe";

/** Counters since the last reset. Times are sums in milliseconds. */
export interface ProbeStats {
  requests: number;
  /** Most requests ever in the Worker at once (1 means the attribution below holds). */
  maxInFlight: number;
  /** Distinct `env` objects the Worker was called with since the isolate started. */
  envObjects: number;
  /** `<binding>.<method>` → calls, for KV namespace bindings. */
  kv: Record<string, number>;
  /** `crypto.subtle` method → calls. */
  subtle: Record<string, number>;
  /** `<binding>.fetch` → calls, for service bindings (MCPBOX_TUNNEL). */
  service: Record<string, number>;
  /** From the Worker's fetch() being called to its Response being returned. */
  handlerMs: number;
  /** Waiting for KV promises while a request was in the Worker. */
  kvWaitMs: number;
  /** Waiting for service binding fetches (until response headers). */
  serviceWaitMs: number;
}

interface FetchHandler {
  fetch(request: Request, env: Record<string, unknown>, ctx: unknown): Promise<Response>;
}

/** The KV namespace methods counted. */
export const PROBE_KV_METHODS = ["get", "getWithMetadata", "put", "delete", "list"] as const;

const stats: ProbeStats = emptyStats();
const seenEnvs = new WeakSet<object>();
const wrappedEnvs = new WeakMap<object, Record<string, unknown>>();
let envObjects = 0;
let inFlight = 0;

function emptyStats(): ProbeStats {
  return { requests: 0, maxInFlight: 0, envObjects: 0, kv: {}, subtle: {}, service: {}, handlerMs: 0, kvWaitMs: 0, serviceWaitMs: 0 };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Calls `run`, adding the time until its promise settles to `stats[field]`. */
function timed<T>(field: "kvWaitMs" | "serviceWaitMs", run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const settle = () => {
    if (inFlight > 0) stats[field] += performance.now() - started;
  };
  return run().then(
    (value) => {
      settle();
      return value;
    },
    (error: unknown) => {
      settle();
      throw error;
    },
  );
}

type AnyMethod = (...args: unknown[]) => unknown;

function isBindingWith(value: unknown, methods: readonly string[]): value is Record<string, AnyMethod> {
  return typeof value === "object" && value !== null && methods.every((m) => typeof (value as Record<string, unknown>)[m] === "function");
}

/** The env with every KV namespace counted and every service binding timed; one copy per env object. */
function instrumentedEnv(env: Record<string, unknown>): Record<string, unknown> {
  let copy = wrappedEnvs.get(env);
  if (copy) return copy;
  copy = { ...env };
  for (const [name, binding] of Object.entries(env)) {
    // Service bindings first: an RPC-capable Fetcher answers any property (even `get`) with a stub.
    if (isBindingWith(binding, ["fetch", "connect"])) {
      copy[name] = {
        fetch: (...args: unknown[]) => {
          bump(stats.service, `${name}.fetch`);
          return timed("serviceWaitMs", () => Promise.resolve(binding.fetch?.(...args)));
        },
        connect: (...args: unknown[]) => binding.connect?.(...args),
      };
    } else if (isBindingWith(binding, PROBE_KV_METHODS)) {
      const wrapped: Record<string, AnyMethod> = {};
      for (const method of PROBE_KV_METHODS) {
        wrapped[method] = (...args) => {
          bump(stats.kv, `${name}.${method}`);
          return timed("kvWaitMs", () => Promise.resolve(binding[method]?.(...args)));
        };
      }
      copy[name] = wrapped;
    }
  }
  wrappedEnvs.set(env, copy);
  return copy;
}

function statsResponse(url: URL): Response {
  const body = JSON.stringify({ ...stats, envObjects } satisfies ProbeStats);
  if (url.searchParams.get("reset") === "1") Object.assign(stats, emptyStats());
  return new Response(body, { headers: { "Content-Type": "application/json" } });
}

/** The production Worker wrapped with the counters; the probe path answers with them. */
export function instrument(worker: FetchHandler): FetchHandler {
  countSubtleCalls((method) => bump(stats.subtle, method));
  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      if (url.pathname === PROBE_PATH) return statsResponse(url);
      if (!seenEnvs.has(env)) {
        seenEnvs.add(env);
        envObjects += 1;
      }
      const probedEnv = instrumentedEnv(env);
      const started = performance.now();
      inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      try {
        return await worker.fetch(request, probedEnv, ctx);
      } finally {
        stats.handlerMs += performance.now() - started;
        stats.requests += 1;
        inFlight -= 1;
      }
    },
  };
}
