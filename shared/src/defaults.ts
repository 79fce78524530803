/**
 * Default values shared by the packages. Units are in the names.
 */

export const DEFAULT_GATEWAY_HOSTNAME = "mcp-gateway" as const;
export const DEFAULT_GATEWAY_PORT = 8002 as const;
export const DEFAULT_GATEWAY_BIND_HOST = "127.0.0.1" as const;

export const DEFAULT_RESOURCE_NAMES = {
  tunnel: "mcpbox-tunnel",
  vpcService: "mcpbox-service",
  worker: "mcpbox-proxy",
} as const;

export const DEFAULT_STATE_FILE = ".mcpbox/state.json" as const;
export const DEFAULT_CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4" as const;

/** Maximum length of an email address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254 as const;

/** Service token: 32 random bytes, hex-encoded. */
export const SERVICE_TOKEN_BYTES = 32 as const;

/** Separates the current and the previous service token in `MCPBOX_SERVICE_TOKEN` during a rotation. */
export const SERVICE_TOKEN_SEPARATOR = "," as const;

/** The Worker's `COOKIE_ENCRYPTION_KEY`: 32 random bytes, hex-encoded. */
export const COOKIE_ENCRYPTION_KEY_BYTES = 32 as const;

/** Scopes requested from Cloudflare Access for SaaS. */
export const ACCESS_OIDC_SCOPES = ["openid", "email", "profile"] as const;

/** Minimum cloudflared version that supports Workers VPC (QUIC transport). */
export const MIN_CLOUDFLARED_VERSION = "2025.7.0" as const;

/** Host names the gateway always answers to (DNS-rebinding guard); more via `GATEWAY_ALLOWED_HOSTS`. */
export const GATEWAY_BUILTIN_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", DEFAULT_GATEWAY_HOSTNAME] as const;

/** Largest request body the gateway accepts, counted on the bytes actually received. */
export const DEFAULT_GATEWAY_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** How long the gateway waits for an upstream's response headers before answering 504. */
export const DEFAULT_GATEWAY_UPSTREAM_TIMEOUT_MS = 60_000;

/** Concurrent stdio MCP sessions (one child process each) the gateway runs at most. */
export const DEFAULT_GATEWAY_MAX_SESSIONS = 32;

/** Concurrent sessions of a Streamable HTTP upstream the gateway tracks at most (one small record each). */
export const DEFAULT_GATEWAY_MAX_HTTP_SESSIONS = 1024;

/**
 * Unless `GATEWAY_MAX_SESSIONS_PER_USER` says otherwise, one user (or all callers without an email
 * together) may hold this share of `GATEWAY_MAX_SESSIONS`, so at least four always fit.
 */
export const DEFAULT_GATEWAY_SESSIONS_PER_USER_DIVISOR = 4;

/** Requests (streams included) one user, or all callers without an email together, may have in flight. */
export const DEFAULT_GATEWAY_MAX_CONCURRENT_PER_USER = 64;

/** A stdio session with no traffic for this long is closed and its child process killed. */
export const DEFAULT_GATEWAY_SESSION_IDLE_MS = 15 * 60_000;

/** On SIGTERM/SIGINT, in-flight requests get this long to finish before connections are cut. */
export const DEFAULT_GATEWAY_DRAIN_MS = 10_000;

/**
 * An SSE response that carried no byte for this long gets a `: keepalive` comment (WHATWG HTML
 * §9.2.6: comment lines are ignored by parsers). Cloudflare closes a connection idle for about
 * 100 s, so this stays well below it.
 */
export const DEFAULT_GATEWAY_SSE_KEEPALIVE_MS = 25_000;

/** Minimum length of a service token the gateway accepts (the provisioner makes 64 hex characters). */
export const MIN_SERVICE_TOKEN_LENGTH = 32;

/** Lifetime of the Worker's OAuth access tokens unless `ACCESS_TOKEN_TTL_SECONDS` says otherwise. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600 as const;
