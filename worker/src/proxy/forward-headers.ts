/**
 * Which headers cross the Worker in each direction. Towards the gateway: only the MCP transport
 * headers the client sent, untouched, plus the X-MCPbox-* identity headers the Worker sets; the
 * client's Authorization, cookies and any X-MCPbox-* it sent never pass (no token passthrough).
 */
import { MCPBOX_HEADERS, MCP_TRANSPORT_REQUEST_HEADERS, AUTH_METHOD_OIDC } from "@mcpbox/shared";

/** Every header whose lower-cased name starts with this is reserved to the Worker. */
const MCPBOX_HEADER_PREFIX_LOWER = "x-mcpbox-";

export interface GatewayIdentity {
  serviceToken: string;
  email?: string;
  clientId: string;
}

/**
 * The client headers that may cross: the MCP transport allowlist, never an X-MCPbox-* name even
 * if one were added to it. Filtered once here rather than on every request.
 */
const FORWARDED_REQUEST_HEADERS: readonly string[] = MCP_TRANSPORT_REQUEST_HEADERS.filter(
  (name) => !name.toLowerCase().startsWith(MCPBOX_HEADER_PREFIX_LOWER),
);

/**
 * The gateway request headers: an allowlist of MCP transport headers copied from the client
 * (so nothing else it sent, including forged X-MCPbox-* values, can reach the gateway), then
 * the Worker's own identity headers.
 */
export function gatewayRequestHeaders(incoming: Headers, identity: GatewayIdentity): Headers {
  const out = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming.get(name);
    if (value !== null) out.set(name, value);
  }
  out.set(MCPBOX_HEADERS.serviceToken, identity.serviceToken);
  out.set(MCPBOX_HEADERS.authMethod, AUTH_METHOD_OIDC);
  out.set(MCPBOX_HEADERS.clientId, identity.clientId);
  if (identity.email !== undefined) out.set(MCPBOX_HEADERS.userEmail, identity.email);
  return out;
}

const DROPPED_RESPONSE_HEADERS = new Set(["set-cookie", "connection", "keep-alive", "transfer-encoding", "www-authenticate"]);

/**
 * The gateway's response headers minus cookies, hop-by-hop headers, CORS and auth challenges.
 * Copied whole by the runtime, then the unwanted names removed: cheaper in workerd than
 * appending each allowed entry from JavaScript (docs/decisions.md, Worker per-request cost).
 */
export function clientResponseHeaders(upstream: Headers): Headers {
  const out = new Headers(upstream);
  for (const name of [...out.keys()]) {
    if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith("access-control-") || name.startsWith(MCPBOX_HEADER_PREFIX_LOWER)) out.delete(name);
  }
  return out;
}
