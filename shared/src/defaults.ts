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

/** Scopes requested from Cloudflare Access for SaaS. */
export const ACCESS_OIDC_SCOPES = ["openid", "email", "profile"] as const;

/** Minimum cloudflared version that supports Workers VPC (QUIC transport). */
export const MIN_CLOUDFLARED_VERSION = "2025.7.0" as const;
