/**
 * The Worker's front door. Only the listed paths exist (everything else is a 404 that never
 * reaches the tunnel); methods are checked per path; configuration is validated before any OAuth
 * work; /mcp gets its Origin policy and CORS here. The OAuth library does the rest.
 */
import { BUILTIN_CORS_ORIGINS, WORKER_PATHS } from "@mcpbox/shared";
import { readConfig, type WorkerEnv } from "../env";
import type { ProviderFor } from "../oauth/provider";
import { requestEnv } from "../oauth/request-context";
import { normalizeAuthorizeRequest, normalizeTokenRequest } from "../oauth/resource";
import { checkOrigin, MCP_METHODS, preflightResponse, withCors, type OriginCheck } from "../proxy/cors";
import { health } from "../routes/health";
import { mcpResourceMetadata, revoke } from "../routes/oauth-aliases";
import { WorkerError, errorResponse, logWorkerError, type ErrorFormat } from "./errors";

type RouteKind = "mcp" | "health" | "authorize" | "callback" | "token" | "provider" | "mcp-metadata" | "revoke";

interface Route {
  kind: RouteKind;
  /** Allowed methods; undefined lets the OAuth library answer (it sends its own 405s). */
  methods?: readonly string[];
  format: ErrorFormat;
}

const MCP_ROUTE: Route = { kind: "mcp", methods: [...MCP_METHODS, "OPTIONS"], format: "jsonrpc" };

/** Exact paths only: no prefixes, no case folding, no trailing-slash variants. */
const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [WORKER_PATHS.mcp, MCP_ROUTE],
  [WORKER_PATHS.root, MCP_ROUTE],
  [WORKER_PATHS.health, { kind: "health", methods: ["GET", "HEAD"], format: "json" }],
  [WORKER_PATHS.authorize, { kind: "authorize", methods: ["GET", "POST"], format: "html" }],
  [WORKER_PATHS.callback, { kind: "callback", methods: ["GET"], format: "html" }],
  [WORKER_PATHS.token, { kind: "token", format: "json" }],
  [WORKER_PATHS.register, { kind: "provider", format: "json" }],
  [WORKER_PATHS.revoke, { kind: "revoke", methods: ["POST", "OPTIONS"], format: "json" }],
  [WORKER_PATHS.authorizationServerMetadata, { kind: "provider", format: "json" }],
  [WORKER_PATHS.protectedResourceMetadata, { kind: "provider", format: "json" }],
  [WORKER_PATHS.protectedResourceMetadataMcp, { kind: "mcp-metadata", format: "json" }],
]);

export interface RouterDeps {
  providerFor: ProviderFor;
}

/** The Worker's `fetch`. */
export function createRouter(deps: RouterDeps) {
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
      const url = new URL(request.url);
      const route = ROUTES.get(url.pathname);
      if (!route) return errorResponse(new WorkerError("not_found", 404, "There is nothing at this address."), "json");
      try {
        return await dispatch(request, url, route, env, ctx, deps);
      } catch (error) {
        if (error instanceof WorkerError) logWorkerError(error, { path: url.pathname });
        const response = errorResponse(error, route.format);
        return route.kind === "mcp" ? withCors(response, originCheckFor(request, env)) : response;
      }
    },
  };
}

async function dispatch(request: Request, url: URL, route: Route, env: WorkerEnv, ctx: ExecutionContext, deps: RouterDeps): Promise<Response> {
  if (route.methods && !route.methods.includes(request.method)) {
    throw new WorkerError("method_not_allowed", 405, `${request.method} is not supported at this address.`, {
      headers: { Allow: route.methods.join(", ") },
    });
  }
  if (route.kind === "health") return health(request);

  const result = readConfig(env);
  if (!result.ok) throw result.error;
  const config = result.config;
  const provider = deps.providerFor(url.origin, config.accessTokenTtlSeconds);
  const renv = requestEnv(env, config);

  switch (route.kind) {
    case "mcp": {
      const origin = checkOrigin(request, config.corsOrigins);
      if (origin.kind === "forbidden") {
        throw new WorkerError("origin_not_allowed", 403, `Requests from ${origin.origin} are not allowed.`, {
          hint: "The server's operator can add this origin to CORS_ORIGINS.",
          headers: { Vary: "Origin" },
          log: { origin: origin.origin.slice(0, 200) },
        });
      }
      if (request.method === "OPTIONS") {
        return origin.kind === "allowed" ? preflightResponse(origin.origin) : new Response(null, { status: 204, headers: { Allow: MCP_ROUTE.methods?.join(", ") ?? "" } });
      }
      if (url.searchParams.has("access_token")) {
        // RFC 6750 §2.3 is not supported: tokens in URLs end up in logs and histories (MCP: header only).
        throw new WorkerError("token_in_query", 400, "Send the access token in the Authorization header, not in the URL.", {
          headers: { "WWW-Authenticate": 'Bearer error="invalid_request"' },
        });
      }
      return withCors(await provider.fetch(request, renv, ctx), origin);
    }
    case "authorize":
      return provider.fetch(request.method === "GET" ? normalizeAuthorizeRequest(request, url.origin) : request, renv, ctx);
    case "token":
      return provider.fetch(await normalizeTokenRequest(request, url.origin), renv, ctx);
    case "mcp-metadata":
      return mcpResourceMetadata(request, provider, renv, ctx);
    case "revoke":
      return revoke(request, provider, renv, ctx);
    case "callback":
    case "provider":
      return provider.fetch(request, renv, ctx);
  }
}

/** The Origin verdict for an error on /mcp, so an allowed browser client can read why it failed. */
function originCheckFor(request: Request, env: WorkerEnv): OriginCheck {
  const result = readConfig(env);
  return checkOrigin(request, result.ok ? result.config.corsOrigins : new Set<string>(BUILTIN_CORS_ORIGINS));
}
