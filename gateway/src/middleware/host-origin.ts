/**
 * DNS-rebinding guard: the `Host` header must name this gateway (localhost,
 * 127.0.0.1, the VPC service host name, or `GATEWAY_ALLOWED_HOSTS`), and a browser `Origin`, when
 * present, must be a loopback origin or explicitly allowed. A web page that rebinds its own name
 * to 127.0.0.1 fails both: its Host and Origin still carry that name.
 */
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";

const PORT_PATTERN = /^\d{1,5}$/;
const MAX_PORT = 65_535;

/** The lower-cased host name of a Host header value, without its port (RFC 3986 §3.2.3, at most 65535); null if malformed. Pure. */
export function hostNameOf(hostHeader: string): string | null {
  let name = hostHeader;
  let port: string | undefined;
  if (hostHeader.startsWith("[")) {
    const end = hostHeader.indexOf("]");
    if (end === -1) return null;
    name = hostHeader.slice(0, end + 1);
    const rest = hostHeader.slice(end + 1);
    if (rest) {
      if (!rest.startsWith(":")) return null;
      port = rest.slice(1);
    }
  } else {
    const colon = hostHeader.indexOf(":");
    if (colon !== -1) {
      name = hostHeader.slice(0, colon);
      port = hostHeader.slice(colon + 1);
    }
  }
  if (port !== undefined && (!PORT_PATTERN.test(port) || Number(port) > MAX_PORT)) return null;
  return name ? name.toLowerCase() : null;
}

/** True when the Host header (RFC 9110 §7.2) names an allowed host. A missing Host fails. Pure. */
export function isHostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!hostHeader) return false;
  const name = hostNameOf(hostHeader);
  return name !== null && allowed.has(name);
}

const LOOPBACK_HOST_NAMES: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * True for a page served from this machine's loopback interface on any port, as the MCP
 * specification's DNS-rebinding advice expects local servers to accept (`http://127.0.0.1:6274`).
 * Only an exactly serialized origin (RFC 6454 §6.2) counts: no path, no user, no other spelling
 * of the address. Pure.
 */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return url.origin === origin.toLowerCase() && LOOPBACK_HOST_NAMES.has(url.hostname);
}

/**
 * True when there is no Origin (not a browser, e.g. the Worker or an MCP SDK), the Origin
 * (RFC 6454) is a loopback one, or it is on the allowlist. `Origin: null` is never allowed. Pure.
 */
export function isOriginAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  return allowed.has(origin.toLowerCase()) || isLoopbackOrigin(origin);
}

const HOST_REFUSED = refusal("host_not_allowed", "Forbidden: the Host header does not name this gateway (see GATEWAY_ALLOWED_HOSTS)");
const ORIGIN_REFUSED = refusal(
  "origin_not_allowed",
  "Forbidden: browser requests from this Origin are not allowed (see GATEWAY_ALLOWED_ORIGINS)",
);

const MAX_REMEMBERED_HOSTS = 64;

/** Builds the check: a 403 refusal for a request whose Host or Origin is not allowed, else undefined. */
export function createHostOriginCheck(
  allowedHosts: readonly string[],
  allowedOrigins: readonly string[],
): (host: string | undefined, origin: string | undefined) => Refusal | undefined {
  const hosts = new Set(allowedHosts);
  const origins = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  // The verdict for each Host value seen lately: a gateway sees the same one or two on every
  // request. Bounded: when full it starts over (a verdict is cheap to reach again).
  const verdicts = new Map<string, boolean>();
  const hostAllowed = (host: string | undefined): boolean => {
    if (host === undefined) return false;
    let allowed = verdicts.get(host);
    if (allowed === undefined) {
      allowed = isHostAllowed(host, hosts);
      if (verdicts.size >= MAX_REMEMBERED_HOSTS) verdicts.clear();
      verdicts.set(host, allowed);
    }
    return allowed;
  };
  return (host, origin) => {
    if (!hostAllowed(host)) return HOST_REFUSED;
    if (!isOriginAllowed(origin, origins)) return ORIGIN_REFUSED;
    return undefined;
  };
}
