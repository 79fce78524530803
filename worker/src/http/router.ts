/**
 * The Worker's front door. Only the listed paths exist (everything else is a 404 that never
 * reaches the tunnel); methods are checked per path; configuration is validated before any OAuth
 * work; /mcp gets its Origin policy and CORS here. The OAuth library does the rest.
 */
import { MCP_HTTP_METHODS, WORKER_PATHS } from "@mcpbox/shared";
import { readConfig, type WorkerConfig, type WorkerEnv } from "../env";
import type { ProviderFor } from "../oauth/provider";
import { requestEnv } from "../oauth/request-context";
import { assertJsonContentType, assertRegistrationSizes } from "../oauth/registration-guard";
import { normalizeAuthorizeRequest } from "../oauth/resource";
import { revokeEndpoint, tokenEndpoint } from "../oauth/token-endpoint";
import { BUILTIN_CORS_ORIGINS, checkOrigin, preflightResponse, withCors, type OriginCheck } from "../proxy/cors";
import { health } from "../routes/health";
import { authorizationServerMetadata, mcpResourceMetadata, pointChallengeAtMcpMetadata } from "../routes/oauth-aliases";
import { BODY_LIMITS, bufferedRequest } from "./body-limit";
import { WorkerError, errorResponse, logWorkerError, type ErrorFormat } from "./errors";
import { RATE_LIMIT_STEPS, enforceRateLimit } from "./rate-limit";

type RouteKind = "mcp" | "health" | "authorize" | "callback" | "token" | "register" | "provider" | "as-metadata" | "mcp-metadata" | "revoke";

interface Route {
  kind: RouteKind;
  /** Allowed methods; undefined lets the OAuth library answer (it sends its own 405s). */
  methods?: readonly string[];
  format: ErrorFormat;
}

const MCP_ROUTE: Route = { kind: "mcp", methods: [...MCP_HTTP_METHODS, "OPTIONS"], format: "jsonrpc" };

/** Exact paths only: no prefixes, no case folding, no trailing-slash variants. */
const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [WORKER_PATHS.mcp, MCP_ROUTE],
  [WORKER_PATHS.root, MCP_ROUTE],
  [WORKER_PATHS.health, { kind: "health", methods: ["GET", "HEAD"], format: "json" }],
  [WORKER_PATHS.authorize, { kind: "authorize", methods: ["GET", "POST"], format: "html" }],
  [WORKER_PATHS.callback, { kind: "callback", methods: ["GET"], format: "html" }],
  [WORKER_PATHS.token, { kind: "token", format: "json" }],
  [WORKER_PATHS.register, { kind: "register", format: "json" }],
  [WORKER_PATHS.revoke, { kind: "revoke", methods: ["POST", "OPTIONS"], format: "json" }],
  [WORKER_PATHS.authorizationServerMetadata, { kind: "as-metadata", format: "json" }],
  [WORKER_PATHS.protectedResourceMetadata, { kind: "provider", format: "json" }],
  [WORKER_PATHS.protectedResourceMetadataMcp, { kind: "mcp-metadata", format: "json" }],
]);

export interface RouterDeps {
  providerFor: ProviderFor;
  nowSeconds: () => number;
}

/** The Worker's `fetch`. */
export function createRouter(deps: RouterDeps) {
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
      const url = new URL(request.url);
      const route = ROUTES.get(url.pathname);
      if (!route) return errorResponse(new WorkerError("not_found", "There is nothing at this address."), "json");
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
    throw new WorkerError("method_not_allowed", `${request.method} is not supported at this address.`, {
      headers: { Allow: route.methods.join(", ") },
    });
  }
  if (route.kind === "health") return health(request);

  const result = readConfig(env);
  if (!result.ok) throw result.error;
  const config = result.config;
  const { provider, helpers } = deps.providerFor(url.origin, config.accessTokenTtlSeconds);
  const renv = requestEnv(env, config);

  switch (route.kind) {
    case "mcp": {
      const origin = checkOrigin(request, config.corsOrigins);
      if (origin.kind === "forbidden") {
        throw new WorkerError("origin_not_allowed", `Requests from ${origin.origin} are not allowed.`, {
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
        throw new WorkerError("token_in_query", "Send the access token in the Authorization header, not in the URL.", {
          headers: { "WWW-Authenticate": 'Bearer error="invalid_request"' },
        });
      }
      return withCors(pointChallengeAtMcpMetadata(await provider.fetch(request, renv, ctx), url), origin);
    }
    case "authorize":
      return provider.fetch(request.method === "GET" ? normalizeAuthorizeRequest(request, url.origin) : request, renv, ctx);
    case "token":
      return tokenEndpoint(request, { provider, env: renv, ctx, config, helpers: () => helpers(renv), nowSeconds: deps.nowSeconds });
    case "revoke":
      return revokeEndpoint(request, { provider, env: renv, ctx });
    case "register":
      return provider.fetch(request.method === "POST" ? await guardRegistration(request, config) : request, renv, ctx);
    case "as-metadata":
      return authorizationServerMetadata(request, provider, renv, ctx);
    case "mcp-metadata":
      return mcpResourceMetadata(request, provider, renv, ctx);
    case "callback":
    case "provider":
      return provider.fetch(request, renv, ctx);
  }
}

/**
 * The cheap checks before dynamic client registration stores anything: the per-IP limit, a JSON
 * body, the body cap and member sizes. Returns the request with its body buffered.
 */
async function guardRegistration(request: Request, config: WorkerConfig): Promise<Request> {
  await enforceRateLimit(config.limiters.register, RATE_LIMIT_STEPS.register, request);
  assertJsonContentType(request);
  const { request: buffered, bytes } = await bufferedRequest(request, BODY_LIMITS.register);
  assertRegistrationSizes(bytes);
  return buffered;
}

/** The Origin verdict for an error on /mcp, so an allowed browser client can read why it failed. */
function originCheckFor(request: Request, env: WorkerEnv): OriginCheck {
  const result = readConfig(env);
  return checkOrigin(request, result.ok ? result.config.corsOrigins : new Set<string>(BUILTIN_CORS_ORIGINS));
}
