/**
 * Looks at the local gateway from this machine: is it up (`/health`), and does it accept the
 * service token the state holds (a 403 on `/mcp` means it runs with another token).
 */
import { GATEWAY_PATHS, HEALTH_BODY, MCPBOX_HEADERS } from "@mcpbox/shared";
import { describeFetchError } from "./worker-check";

const REQUEST_TIMEOUT_MS = 5_000;

export type GatewayLookup = { found: true; baseUrl: string } | { found: false; tried: string[]; seen: string };

/** The gateway's base URLs to try: loopback first (its default bind), then the configured host. */
export function gatewayCandidates(host: string, port: number): string[] {
  const urls = [`http://127.0.0.1:${port}`, `http://${host}:${port}`];
  return [...new Set(urls)];
}

/** Finds a gateway answering `/health` with {"status":"ok"}. */
export async function findLocalGateway(http: typeof fetch, host: string, port: number): Promise<GatewayLookup> {
  const tried = gatewayCandidates(host, port);
  let seen = "no answer";
  for (const baseUrl of tried) {
    try {
      const response = await http(`${baseUrl}${GATEWAY_PATHS.health}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const text = await response.text();
      if (response.status === 200 && text.trim() === JSON.stringify(HEALTH_BODY)) return { found: true, baseUrl };
      seen = `HTTP ${response.status} from ${baseUrl}`;
    } catch (error) {
      seen = describeFetchError(error);
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
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status === 403 ? { result: "rejected" } : { result: "accepted", status: response.status };
  } catch (error) {
    return { result: "error", seen: describeFetchError(error) };
  }
}
