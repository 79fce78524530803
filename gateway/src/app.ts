/**
 * The gateway as a Hono app on web-standard Requests and Responses, for runtimes and embedders
 * without Node's HTTP server (on Node, server.ts runs node-handler.ts instead, with no conversion
 * to web objects). The same checks in the same order (guard/mcp-guard.ts), the body limit counted
 * on the web stream, the reply as a web Response with SSE keepalive comments.
 */
import { GATEWAY_PATHS, HEALTH_BODY, MCP_HTTP_METHODS } from "@mcpbox/shared";
import { Hono } from "hono";
import type { Context } from "hono";
import type { GatewayConfig } from "./config";
import { GatewayError, INTERNAL_ERROR_MESSAGE, NOT_FOUND_MESSAGE, errorResponse } from "./errors";
import { createMcpGuard } from "./guard/mcp-guard";
import type { McpRequest } from "./guard/mcp-guard";
import { isRefusal } from "./guard/refusal";
import type { Refusal } from "./guard/refusal";
import type { Logger } from "./logger";
import { readWebBody } from "./middleware/body";
import { checkRequestTarget } from "./middleware/path-allowlist";
import type { PolicyRuntime } from "./policy/runtime";
import { replyToResponse } from "./reply";
import type { Upstream } from "./upstream/types";

export interface AppDeps {
  config: GatewayConfig;
  upstream: Upstream;
  log: Logger;
  /** The tool policy (`MCPBOX_POLICY`); without one no policy code runs at all. */
  policy?: PolicyRuntime;
}

const HEALTH_TEXT = JSON.stringify(HEALTH_BODY);
const answer = (refused: Refusal) => errorResponse(refused.refused, refused.options);

/** The checks' view of a web Request. */
function webMcpRequest(c: Context): McpRequest {
  const request = c.req.raw;
  return {
    method: c.req.method as McpRequest["method"],
    header: (name) => request.headers.get(name) ?? undefined,
    readBody: (maxBytes) => readWebBody(request, maxBytes),
  };
}

/** Builds the app. */
export function createApp({ config, upstream, log, policy }: AppDeps): Hono {
  const app = new Hono();
  const guard = createMcpGuard({ config, upstream, policy });

  app.use(async (c, next) => {
    // The path allowlist first (the URL is already normalised here; on Node it sees the raw target).
    const url = new URL(c.req.url);
    if (!checkRequestTarget(url.pathname + url.search, c.req.method).ok)
      return errorResponse(new GatewayError("not_found", NOT_FOUND_MESSAGE));
    const refused = guard.hostOrigin(c.req.header("host"), c.req.header("origin"));
    if (refused) return answer(refused);
    await next();
  });
  app.get(GATEWAY_PATHS.health, () => new Response(HEALTH_TEXT, { headers: { "content-type": "application/json" } }));
  app.on([...MCP_HTTP_METHODS], GATEWAY_PATHS.mcp, async (c) => {
    const request = webMcpRequest(c);
    // Without Node's response object, the end of the handler is the end this layer can see.
    let release: (() => void) | undefined;
    try {
      const result = await guard.authorize(request, undefined, (r) => (release = r));
      if (isRefusal(result)) return answer(result);
      let reply = await upstream.handle({
        method: request.method,
        header: request.header,
        body: result.body,
        identity: result.identity,
        onClientGone: (listener) => c.req.raw.signal.addEventListener("abort", listener, { once: true }),
      });
      if (result.editReply) reply = await result.editReply(reply);
      return replyToResponse(reply, config.sseKeepaliveMs);
    } finally {
      release?.();
    }
  });

  app.notFound(() => errorResponse(new GatewayError("not_found", NOT_FOUND_MESSAGE)));
  app.onError((error) => {
    if (!(error instanceof GatewayError)) log.error(`unexpected error: ${error.stack ?? String(error)}`);
    else if (error.code === "internal") log.error(`internal error: ${String(error.cause ?? INTERNAL_ERROR_MESSAGE)}`);
    return errorResponse(error);
  });
  return app;
}
