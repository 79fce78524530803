/**
 * Looks at the local gateway from this machine: is it up (`/health`), and does it accept the
 * service token the state holds (a 403 on `/mcp` means it runs with another token).
 *
 * The probe carries the service token, the one secret the gateway trusts, over plain HTTP. So it
 * goes only to a loopback address (where the gateway binds by default), or to the URL the user
 * named with `--gateway-url`, and never follows a redirect (`redirect: "error"`): whatever answers
 * at `--gateway-host` (`mcp-gateway`, a name the network resolves) could be anyone.
 */
import { GATEWAY_PATHS, HEALTH_BODY, MCPBOX_HEADERS } from "@mcpbox/shared";
import { describeFetchError } from "./worker-check";

const REQUEST_TIMEOUT_MS = 5_000;

export type GatewayLookup = { found: true; baseUrl: string } | { found: false; tried: string[]; seen: string };

/** True for an IPv4 loopback literal (127.0.0.0/8). Names are not trusted: DNS decides what they mean. */
export function isLoopbackAddress(host: string): boolean {
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255);
}

/**
 * The gateway base URLs the token may be sent to: the URL the user named, if any; otherwise
 * 127.0.0.1 on the gateway's port, and the configured host only when it is a loopback address.
 */
export function gatewayCandidates(host: string, port: number, namedUrl?: string): string[] {
  if (namedUrl !== undefined) return [namedUrl];
  const urls = [`http://127.0.0.1:${port}`];
  if (isLoopbackAddress(host)) urls.push(`http://${host}:${port}`);
  return [...new Set(urls)];
}

/** Finds a gateway answering `/health` with {"status":"ok"} (see gatewayCandidates for where it looks). */
export async function findLocalGateway(http: typeof fetch, host: string, port: number, namedUrl?: string): Promise<GatewayLookup> {
  const tried = gatewayCandidates(host, port, namedUrl);
  let seen = "no answer";
  for (const baseUrl of tried) {
    try {
      const response = await http(`${baseUrl}${GATEWAY_PATHS.health}`, {
        redirect: "error",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status === 200 && text.trim() === JSON.stringify(HEALTH_BODY)) return { found: true, baseUrl };
      seen = `HTTP ${response.status} from ${baseUrl}`;
    } catch (error) {
      seen = describeGatewayError(error);
    }
  }
  return { found: false, tried, seen };
}

export type TokenProbe = { result: "accepted"; status: number } | { result: "rejected" } | { result: "error"; seen: string };

/** Sends a JSON-RPC ping to `/mcp` with `token`. The gateway answers 403 only when the token is wrong. */
export async function probeGatewayToken(http: typeof fetch, baseUrl: string, token: string): Promise<TokenProbe> {
  try {
    const response = await http(`${baseUrl}${GATEWAY_PATHS.mcp}`, {
      method: "POST",
      headers: {
        [MCPBOX_HEADERS.serviceToken]: token,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      // A redirect would carry the token's header to wherever it points: never follow one.
      redirect: "error",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status === 403 ? { result: "rejected" } : { result: "accepted", status: response.status };
  } catch (error) {
    return { result: "error", seen: describeGatewayError(error) };
  }
}

/** Like describeFetchError, naming a refused redirect as such. */
function describeGatewayError(error: unknown): string {
  const cause = error instanceof Error ? (error as { cause?: { message?: unknown } }).cause : undefined;
  if (cause?.message === "unexpected redirect") return "it answered with a redirect, which is not followed (the service token stays here)";
  return describeFetchError(error);
}
