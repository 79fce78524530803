/**
 * URL paths served by the Worker and the gateway. Anything not listed here is a 404.
 */

/** Paths of the public Worker. `/` is an alias of `/mcp` (some clients post to the base URL). */
export const WORKER_PATHS = {
  mcp: "/mcp",
  root: "/",
  health: "/health",
  authorize: "/authorize",
  callback: "/callback",
  token: "/token",
  register: "/register",
  revoke: "/revoke",
  authorizationServerMetadata: "/.well-known/oauth-authorization-server",
  protectedResourceMetadata: "/.well-known/oauth-protected-resource",
  protectedResourceMetadataMcp: "/.well-known/oauth-protected-resource/mcp",
} as const;

/** The gateway serves exactly these two paths. */
export const GATEWAY_PATHS = {
  mcp: "/mcp",
  health: "/health",
} as const;

/**
 * HTTP methods of the MCP endpoint at the Worker and at the gateway alike (MCP Streamable HTTP:
 * POST carries messages, GET opens a stream, DELETE ends a session). Anything else is refused.
 */
export const MCP_HTTP_METHODS = ["POST", "GET", "DELETE"] as const;
export type McpHttpMethod = (typeof MCP_HTTP_METHODS)[number];

/** Body of every `/health` answer, Worker and gateway alike. */
export const HEALTH_BODY = { status: "ok" } as const;
