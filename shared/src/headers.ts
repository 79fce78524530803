/**
 * Header names that are wire contracts between the Worker, the gateway and MCP clients.
 * Wire-compatible with MCPbox: keep them, or change docs and every package together.
 */

/** Headers the Worker adds on the way to the gateway. Clients may never set them. */
export const MCPBOX_HEADERS = {
  serviceToken: "X-MCPbox-Service-Token",
  userEmail: "X-MCPbox-User-Email",
  authMethod: "X-MCPbox-Auth-Method",
  clientId: "X-MCPbox-Client-Id",
} as const;

/** The only value of `X-MCPbox-Auth-Method` this product sends. */
export const AUTH_METHOD_OIDC = "oidc" as const;

/** MCP Streamable HTTP transport headers, forwarded untouched by Worker and gateway. */
export const MCP_HEADERS = {
  sessionId: "Mcp-Session-Id",
  protocolVersion: "MCP-Protocol-Version",
  method: "Mcp-Method",
  name: "Mcp-Name",
  lastEventId: "Last-Event-ID",
} as const;

/** Request headers relayed end to end, besides the MCP ones: content negotiation. */
export const MCP_TRANSPORT_REQUEST_HEADERS = [
  MCP_HEADERS.sessionId,
  MCP_HEADERS.protocolVersion,
  MCP_HEADERS.method,
  MCP_HEADERS.name,
  MCP_HEADERS.lastEventId,
  "Accept",
  "Content-Type",
] as const;
