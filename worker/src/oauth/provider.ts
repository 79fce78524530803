/**
 * Builds the OAuthProvider (authorization server + protected /mcp resource) for a Worker origin,
 * from the parts index.ts hands over. One instance per origin and token lifetime is cached in
 * the isolate, because the canonical resource is the origin the Worker is reached at.
 */
import { OAuthProvider, getOAuthApi, type OAuthHelpers, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider";
import { WORKER_PATHS } from "@mcpbox/shared";
import { logEvent } from "../http/log";
import type { TokenExchangeCallback } from "./refresh-recheck";
import { canonicalResource } from "./resource";
import type { ProviderEnv } from "./request-context";

export interface ProviderParts {
  /** Serves /mcp and / once the library has validated the bearer token. */
  apiHandler: ExportedHandler<ProviderEnv> & { fetch: NonNullable<ExportedHandler<ProviderEnv>["fetch"]> };
  /** Serves the browser routes (/authorize, /callback). */
  defaultHandler: ExportedHandler<ProviderEnv>;
  /** Runs at every code exchange and refresh (refresh-recheck.ts). */
  tokenExchangeCallback: TokenExchangeCallback;
}

/** The provider for one origin, and the library's helpers for a request's env. */
export interface ProviderHandle {
  provider: OAuthProvider<ProviderEnv>;
  helpers(env: ProviderEnv): OAuthHelpers;
}

export type ProviderFor = (origin: string, accessTokenTtlSeconds: number) => ProviderHandle;

const MAX_CACHED_PROVIDERS = 16;

/**
 * Options for one origin: DCR + CIMD, PKCE S256 (the library refuses `plain`), rotating refresh
 * tokens whose lifetimes and Access re-check the token exchange callback sets per grant.
 */
function providerOptions(parts: ProviderParts, origin: string, accessTokenTtlSeconds: number): OAuthProviderOptions<ProviderEnv> {
  return {
    apiRoute: [WORKER_PATHS.mcp, WORKER_PATHS.root],
    apiHandler: parts.apiHandler,
    defaultHandler: parts.defaultHandler,
    authorizeEndpoint: WORKER_PATHS.authorize,
    tokenEndpoint: WORKER_PATHS.token,
    clientRegistrationEndpoint: WORKER_PATHS.register,
    accessTokenTTL: accessTokenTtlSeconds,
    tokenExchangeCallback: parts.tokenExchangeCallback,
    clientIdMetadataDocumentEnabled: true,
    resourceMetadata: { resource: canonicalResource(origin), resource_name: "MCPbox" },
    onError: ({ code, status, internal }) => {
      logEvent(status >= 500 ? "error" : "warn", "oauth_error", {
        status,
        code,
        category: internal.category,
        reason: internal.reason,
      });
    },
  };
}

/** A cache of providers by origin and token lifetime. */
export function createProviderCache(parts: ProviderParts): ProviderFor {
  const handles = new Map<string, ProviderHandle>();
  return (origin, accessTokenTtlSeconds) => {
    const key = `${origin} ${accessTokenTtlSeconds}`;
    let handle = handles.get(key);
    if (!handle) {
      if (handles.size >= MAX_CACHED_PROVIDERS) handles.clear();
      const options = providerOptions(parts, origin, accessTokenTtlSeconds);
      const provider = new OAuthProvider<ProviderEnv>(options);
      handle = {
        provider,
        helpers: (env) => (env.OAUTH_PROVIDER ??= getOAuthApi(options, env)),
      };
      handles.set(key, handle);
    }
    return handle;
  };
}
