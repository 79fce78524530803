/**
 * The protected /mcp handler: after the OAuth library has validated the bearer token, forward the
 * request through the MCPBOX_TUNNEL binding (Workers VPC) to the gateway's /mcp with the service
 * token and the verified identity, streaming both bodies. Failures become JSON-RPC errors.
 */
import type { OAuthResourceAuth } from "@cloudflare/workers-oauth-provider";
import { GATEWAY_PATHS } from "@mcpbox/shared";
import { WorkerError, errorResponse, logWorkerError } from "../http/errors";
import { logEvent } from "../http/log";
import { parseAuthProps } from "../oauth/props";
import { configOf, type ProviderEnv } from "../oauth/request-context";
import { clientResponseHeaders, gatewayRequestHeaders } from "./forward-headers";

/**
 * How long the Worker waits for the gateway's response headers. Longer than the gateway's own
 * upstream timeout (it answers 504 itself first), shorter than the ~100 s after which Cloudflare
 * closes an idle client connection, so the client gets an answer it can act on.
 */
const GATEWAY_RESPONSE_TIMEOUT_MS = 95_000;

export interface McpProxyOptions {
  responseTimeoutMs?: number;
}

type ProtectedContext = ExecutionContext & { props?: unknown; auth?: OAuthResourceAuth };

/** The `apiHandler` for the OAuth library. */
export function createMcpProxy(options: McpProxyOptions = {}) {
  const timeoutMs = options.responseTimeoutMs ?? GATEWAY_RESPONSE_TIMEOUT_MS;
  return {
    async fetch(request: Request, env: ProviderEnv, ctx: ProtectedContext): Promise<Response> {
      try {
        return await forward(request, env, ctx, timeoutMs);
      } catch (error) {
        if (error instanceof WorkerError) logWorkerError(error);
        return errorResponse(error, "jsonrpc");
      }
    },
  };
}

async function forward(request: Request, env: ProviderEnv, ctx: ProtectedContext, timeoutMs: number): Promise<Response> {
  const config = configOf(env);
  const props = parseAuthProps(ctx.props);
  const clientId = ctx.auth?.clientId;
  if (!props || !clientId) throw new Error("protected request without grant props or client id");

  const url = new URL(request.url);
  const target = `${config.gatewayOrigin}${GATEWAY_PATHS.mcp}${url.search}`;
  const headers = gatewayRequestHeaders(request.headers, {
    serviceToken: config.serviceToken,
    clientId,
    ...(props.email !== undefined ? { email: props.email } : {}),
  });
  const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body !== null;

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let upstream: Response;
  try {
    upstream = await config.tunnel.fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : null,
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (error) {
    if (timedOut) {
      throw new WorkerError("gateway_timeout", "The MCP gateway did not answer in time.", {
        hint: "The MCP server behind it may be busy or stuck; try again.",
        log: { timeoutMs },
      });
    }
    throw new WorkerError("gateway_unreachable", "The MCP gateway could not be reached through the tunnel.", {
      hint: "Check that cloudflared and the gateway are running on the server.",
      log: { detail: error instanceof Error ? error.name : "error" },
    });
  } finally {
    clearTimeout(timer);
  }

  if (upstream.status === 401) {
    // A 401 from the Worker tells the client to sign in again, which cannot fix a gateway that
    // refuses the Worker itself. Report it as the gateway failure it is.
    await upstream.body?.cancel();
    throw new WorkerError("gateway_rejected", "The MCP gateway refused the request from this server.", {
      hint: "The operator should check that the service token matches on both sides.",
    });
  }
  if (upstream.status >= 300 && upstream.status < 400) {
    // The gateway never redirects; passing one on would leak its internal address to the client.
    await upstream.body?.cancel();
    throw new WorkerError("gateway_rejected", "The MCP gateway gave an unexpected answer.", { log: { status: upstream.status } });
  }
  if (upstream.status >= 500) logEvent("warn", "gateway_error_status", { status: upstream.status });
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: clientResponseHeaders(upstream.headers) });
}
