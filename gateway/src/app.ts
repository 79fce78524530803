/**
 * The gateway's Hono app: wires the checks in their order (path allowlist, Host/Origin, service
 * token, identity, requests in flight per identity, bounded and strictly parsed body, routing
 * headers against the body, method authorization, the session's owner, tool policy when
 * configured) in front of the upstream relay. A request reaches the upstream only after every
 * check passed.
 */
import { GATEWAY_PATHS, HEALTH_BODY, MCP_HEADERS, MCP_HTTP_METHODS, type McpHttpMethod } from "@mcpbox/shared";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import type { GatewayConfig } from "./config";
import type { GatewayEnv } from "./context";
import { GatewayError, INTERNAL_ERROR_MESSAGE, NOT_FOUND_MESSAGE, errorResponse } from "./errors";
import { ConcurrencyLimiter, concurrencyGuard } from "./limits/concurrency";
import type { Logger } from "./logger";
import { mcpBody } from "./middleware/body";
import { hostOriginGuard } from "./middleware/host-origin";
import { identityGuard, methodGuard } from "./middleware/identity";
import { pathAllowlist } from "./middleware/path-allowlist";
import { routingHeaderGuard } from "./middleware/routing-headers";
import { serviceToken } from "./middleware/service-token";
import { sessionGuard } from "./middleware/session";
import { policyGuard } from "./policy/guard";
import type { PolicyRuntime } from "./policy/runtime";
import { replyToResponse, sendReply } from "./reply";
import type { Upstream } from "./upstream/types";

export interface AppDeps {
  config: GatewayConfig;
  upstream: Upstream;
  log: Logger;
  /** The tool policy (`MCPBOX_POLICY`); without one no policy code runs at all. */
  policy?: PolicyRuntime;
}

const HEALTH_TEXT = JSON.stringify(HEALTH_BODY);
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
// The relay writes straight into Node's response and tells @hono/node-server so with its marker;
// that works only if the marker is a native Response (it is unless another server in this process
// replaced the global Response before this module loaded). Otherwise relay as a web Response.
const DIRECT_WRITES = !Object.getOwnPropertySymbols(RESPONSE_ALREADY_SENT).some((s) => s.description === "cache");

/** Builds the app. Expects @hono/node-server bindings (raw target, Node streams, audit record). */
export function createApp({ config, upstream, log, policy }: AppDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.use(pathAllowlist());
  app.use(hostOriginGuard(config.allowedHosts, config.allowedOrigins));
  app.get(GATEWAY_PATHS.health, () => new Response(HEALTH_TEXT, { headers: { "content-type": "application/json" } }));
  app.use(GATEWAY_PATHS.mcp, serviceToken(config.serviceTokens));
  app.use(GATEWAY_PATHS.mcp, identityGuard(config.allowedEmails));
  app.use(GATEWAY_PATHS.mcp, concurrencyGuard(new ConcurrencyLimiter(config.maxConcurrentPerUser)));
  app.use(GATEWAY_PATHS.mcp, mcpBody(config.maxBodyBytes));
  app.use(GATEWAY_PATHS.mcp, routingHeaderGuard());
  app.use(GATEWAY_PATHS.mcp, methodGuard());
  app.use(GATEWAY_PATHS.mcp, sessionGuard(upstream));
  if (policy) app.use(GATEWAY_PATHS.mcp, policyGuard(policy));
  app.on([...MCP_HTTP_METHODS], GATEWAY_PATHS.mcp, async (c) => {
    let reply = await upstream.handle({
      method: c.req.method as McpHttpMethod,
      request: c.req.raw,
      body: c.var.body,
      identity: c.var.identity,
    });
    const editReply = c.var.editReply;
    if (editReply) reply = await editReply(reply);
    // initialize: the session id is born in the response.
    const audit = c.env?.audit;
    if (audit) audit.session ??= reply.headers[SESSION_HEADER] ?? null;
    const outgoing = c.env?.outgoing;
    if (outgoing && DIRECT_WRITES) {
      sendReply(reply, outgoing, config.sseKeepaliveMs);
      return RESPONSE_ALREADY_SENT;
    }
    return replyToResponse(reply, config.sseKeepaliveMs);
  });

  app.notFound(() => errorResponse(new GatewayError("not_found", NOT_FOUND_MESSAGE)));
  app.onError((error, c) => {
    if (c.env?.audit) c.env.audit.error = error instanceof GatewayError ? error.code : "internal";
    if (!(error instanceof GatewayError)) log.error(`unexpected error: ${error.stack ?? String(error)}`);
    else if (error.code === "internal") log.error(`internal error: ${String(error.cause ?? INTERNAL_ERROR_MESSAGE)}`);
    return errorResponse(error);
  });
  return app;
}
