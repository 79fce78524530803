/**
 * Refuses a POST whose `Mcp-Method`/`Mcp-Name` headers disagree with its parsed body (400, JSON-RPC
 * -32020), before anything is relayed. The relay forwards these headers only on a POST that
 * passed here; a GET or DELETE has no body to vouch for them, so there they are dropped.
 */
import { MCP_HEADERS } from "@mcpbox/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context";
import { checkRoutingHeaders } from "../jsonrpc/routing-headers";
import { refuse } from "./refuse";

export function routingHeaderGuard(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const result = checkRoutingHeaders(c.req.header(MCP_HEADERS.method), c.req.header(MCP_HEADERS.name), c.var.body.messages);
    if (!result.ok) return refuse(c, "header_mismatch", `Bad request: ${result.detail}; the headers must mirror the JSON-RPC body`);
    await next();
  };
}
