/**
 * Default values more than one package relies on. Units are in the names. A default only one
 * package reads lives in that package (the gateway's limits, the provisioner's resource names…).
 */

export const DEFAULT_GATEWAY_HOSTNAME = "mcp-gateway" as const;
export const DEFAULT_GATEWAY_PORT = 8002 as const;

export const DEFAULT_STATE_FILE = ".mcpbox/state.json" as const;
export const DEFAULT_ENV_FILE = ".mcpbox/gateway.env" as const;

/** Maximum length of an email address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254 as const;

/** Service token: 32 random bytes, hex-encoded. */
export const SERVICE_TOKEN_BYTES = 32 as const;

/** Separates the current and the previous service token in `MCPBOX_SERVICE_TOKEN` during a rotation. */
export const SERVICE_TOKEN_SEPARATOR = "," as const;

/** The Worker's `COOKIE_ENCRYPTION_KEY`: 32 random bytes, hex-encoded. */
export const COOKIE_ENCRYPTION_KEY_BYTES = 32 as const;

/** Scopes requested from Cloudflare Access for SaaS (and the ones its OIDC app is configured with). */
export const ACCESS_OIDC_SCOPES = ["openid", "email", "profile"] as const;

/**
 * The scope that asks Access for a refresh token (OIDC Core §11). Access enables it by itself on an
 * app whose `grant_types` include `refresh_tokens`; it is not one of the app's configurable scopes.
 */
export const ACCESS_OFFLINE_SCOPE = "offline_access" as const;

/**
 * Lifetime of a refresh token Access issues (`saas_app.refresh_token_options.lifetime`). Below
 * Access's default global session duration of 24 h, as Cloudflare advises: a longer session never
 * lets a refresh token outlive it.
 */
export const ACCESS_REFRESH_TOKEN_LIFETIME = "12h" as const;

/** Minimum cloudflared version that supports Workers VPC (QUIC transport). */
export const MIN_CLOUDFLARED_VERSION = "2025.7.0" as const;

/** Minimum length of a service token the gateway accepts (the provisioner makes 64 hex characters). */
export const MIN_SERVICE_TOKEN_LENGTH = 32;

/** Lifetime of the Worker's OAuth access tokens unless `ACCESS_TOKEN_TTL_SECONDS` says otherwise. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600 as const;
/** The range the Worker accepts for `ACCESS_TOKEN_TTL_SECONDS`: a minute to a day. */
export const MIN_ACCESS_TOKEN_TTL_SECONDS = 60 as const;
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400 as const;

/**
 * Where the local stack (`npm start`) keeps its state: the folder (variable and default, relative
 * to the repository root) and, inside it, the Worker's Miniflare storage holding `OAUTH_KV`.
 * `grants --local` reads the same place.
 */
export const LOCAL_STACK_STATE = {
  dirEnv: "MCPBOX_DEV_DIR",
  defaultDir: ".mcpbox-dev",
  workerStorage: "worker-storage",
} as const;

/** How long the refresh token issued at sign-in stays usable, unless `REFRESH_TOKEN_TTL_SECONDS` says otherwise (7 days). */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 604_800 as const;

/** After each refresh, how long until a grant nobody refreshes ends (`REFRESH_TOKEN_IDLE_SECONDS`; 7 days). */
export const DEFAULT_REFRESH_TOKEN_IDLE_SECONDS = 604_800 as const;

/** How long after an Access sign-in a grant ends however it is used (`GRANT_MAX_AGE_SECONDS`; 30 days). */
export const DEFAULT_GRANT_MAX_AGE_SECONDS = 2_592_000 as const;

/** How often a refresh re-checks the user at Cloudflare Access (`ACCESS_RECHECK_SECONDS`; 1 hour). */
export const DEFAULT_ACCESS_RECHECK_SECONDS = 3600 as const;
