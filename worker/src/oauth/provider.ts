/**
 * Builds the OAuthProvider (authorization server + protected /mcp resource) for a Worker origin,
 * from the parts index.ts hands over. One instance per origin and token lifetime is cached in
 * the isolate, because the canonical resource is the origin the Worker is reached at.
 */
import { OAuthProvider, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider";
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

export type ProviderFor = (origin: string, accessTokenTtlSeconds: number) => OAuthProvider<ProviderEnv>;

const MAX_CACHED_PROVIDERS = 16;

/**
 * Options for one origin: DCR + CIMD, PKCE S256 (the library refuses `plain`), rotating refresh
 * tokens whose lifetimes and Access re-check the token exchange callback sets per grant.
 */
export function providerOptions(parts: ProviderParts, origin: string, accessTokenTtlSeconds: number): OAuthProviderOptions<ProviderEnv> {
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
  const providers = new Map<string, OAuthProvider<ProviderEnv>>();
  return (origin, accessTokenTtlSeconds) => {
    const key = `${origin} ${accessTokenTtlSeconds}`;
    let provider = providers.get(key);
    if (!provider) {
      if (providers.size >= MAX_CACHED_PROVIDERS) providers.clear();
      provider = new OAuthProvider<ProviderEnv>(providerOptions(parts, origin, accessTokenTtlSeconds));
      providers.set(key, provider);
    }
    return provider;
  };
}
