/**
 * The admin surface's request checks (local-only admin), as pure functions of the request's
 * headers: the Host must name this loopback listener (DNS rebinding), and a state-changing request
 * must come from this origin (Origin, and Fetch Metadata's Sec-Fetch-Site). The CSRF token and the
 * launch secret are compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export type GuardResult = { ok: true } | { ok: false; reason: string };

/** Host names the wizard answers to; it listens on 127.0.0.1 only. */
const WIZARD_HOSTS = ["127.0.0.1", "localhost"] as const;

/**
 * DNS rebinding: a page on attacker.example whose name later resolves to 127.0.0.1 still sends
 * `Host: attacker.example`. Only `127.0.0.1:<port>` and `localhost:<port>` are accepted
 * (RFC 9110 §7.2: Host carries the target's host and port).
 */
export function checkHost(host: string | undefined, port: number): GuardResult {
  if (!host) return { ok: false, reason: "no Host header" };
  const allowed = WIZARD_HOSTS.map((h) => `${h}:${port}`);
  return allowed.includes(host.toLowerCase()) ? { ok: true } : { ok: false, reason: `Host "${host}" is not this wizard` };
}

/**
 * Cross-site request forgery, first line: a state-changing request must be same-origin. Browsers
 * send `Sec-Fetch-Site` (Fetch Metadata, W3C) and `Origin` (RFC 6454 §7; the Fetch standard sends
 * `Origin: null` for form posts under `Referrer-Policy: no-referrer`, so "null" is accepted only
 * together with `Sec-Fetch-Site: same-origin`). A request with neither is refused.
 */
export function checkSameOrigin(headers: { origin?: string; secFetchSite?: string; host: string }): GuardResult {
  const { origin, secFetchSite, host } = headers;
  if (secFetchSite !== undefined && secFetchSite !== "same-origin") return { ok: false, reason: `Sec-Fetch-Site is "${secFetchSite}"` };
  if (origin !== undefined && origin !== "null" && origin !== `http://${host.toLowerCase()}`) return { ok: false, reason: `Origin "${origin}" is not this wizard` };
  if (origin === "null" && secFetchSite !== "same-origin") return { ok: false, reason: "Origin is null" };
  if (origin === undefined && secFetchSite === undefined) return { ok: false, reason: "neither Origin nor Sec-Fetch-Site" };
  return { ok: true };
}

/** Constant-time equality of two secrets of any length (compares their SHA-256 digests). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
