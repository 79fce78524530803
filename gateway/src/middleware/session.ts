/**
 * Session binding, checked before the tool policy: a request that names an `Mcp-Session-Id` must
 * name one of the caller's own live sessions, else it is answered `404` like an unknown session
 * (MCP Streamable HTTP, Session Management) and nothing of it is decided on, rate-limited or
 * relayed. The relay checks again when it forwards, so a session that ends in between is caught.
 */
import { MCP_HEADERS } from "@mcpbox/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context";
import type { Upstream } from "../upstream/types";

export function sessionGuard(upstream: Upstream): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const sessionId = c.req.header(MCP_HEADERS.sessionId);
    if (sessionId !== undefined) upstream.assertSession(sessionId, c.var.identity);
    await next();
  };
}
