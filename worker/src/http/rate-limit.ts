/**
 * Per-client-IP limits with the Workers Rate Limiting binding, for the anonymous endpoints that can
 * lead to KV writes (registration, consent). A refusal is a 429 with `Retry-After` (RFC 9110
 * §10.2.3; RFC 6585 §4) before any storage is touched.
 */
import { WorkerError } from "./errors";

/** What a limiter counts: one concern (`register`, `authorize`) for one client address. */
export interface RateLimitScope {
  /** A short name of the limited step, part of the key so two limiters never share counters. */
  step: string;
  /** The window of the binding's `simple.period`, sent back as `Retry-After`. */
  periodSeconds: number;
}

/**
 * The limited steps. `periodSeconds` must equal the binding's `simple.period` in wrangler.toml
 * (provisioner/test/worker-upload.test.ts checks that every period there is 60).
 */
export const RATE_LIMIT_STEPS = {
  register: { step: "register", periodSeconds: 60 },
  authorize: { step: "authorize", periodSeconds: 60 },
} as const satisfies Record<string, RateLimitScope>;

/**
 * The client's address as Cloudflare reports it (`CF-Connecting-IP`, set by the edge and not
 * forgeable by the client). An IPv6 address counts as its /64, which one subscriber usually holds.
 * Without the header (local runs) every caller shares one `unknown` bucket.
 */
function clientAddressKey(request: Request): string {
  const address = request.headers.get("CF-Connecting-IP")?.trim().toLowerCase() ?? "";
  if (address === "") return "unknown";
  if (!address.includes(":")) return address;
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : address.slice(0, 45);
}

/**
 * Counts one request against `limiter`; throws a 429 WorkerError when the client is over its
 * limit. The key names the Worker's host too, so two installs that share a namespace id on one
 * account never share counters.
 */
export async function enforceRateLimit(limiter: RateLimit, scope: RateLimitScope, request: Request): Promise<void> {
  const key = `${scope.step}|${new URL(request.url).host}|${clientAddressKey(request)}`;
  const { success } = await limiter.limit({ key });
  if (success) return;
  throw new WorkerError("rate_limited", "Too many requests from your network address.", {
    hint: `Wait ${scope.periodSeconds} seconds and try again.`,
    headers: { "Retry-After": String(scope.periodSeconds) },
    log: { step: scope.step },
  });
}

/** The eight 16-bit groups of an IPv6 address as lower-case hex, or undefined when it is not one. */
function expandIpv6(address: string): string[] | undefined {
  if (!/^[0-9a-f:.]+$/.test(address) || address.split("::").length > 2) return undefined;
  const [head = "", tail] = address.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) stands for two groups.
  const last = right.length > 0 ? right : left;
  if (last.length > 0 && (last[last.length - 1] ?? "").includes(".")) last.splice(-1, 1, "0", "0");
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  if (groups.length !== 8 || groups.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}
