/**
 * Names of bindings, secrets, variables and environment variables: configuration contracts.
 */

/** Worker bindings (wrangler.toml and the provisioner's upload metadata). */
export const WORKER_BINDINGS = {
  oauthKv: "OAUTH_KV",
  tunnel: "MCPBOX_TUNNEL",
  /** Workers Rate Limiting: anonymous client registrations per client IP. */
  registerLimiter: "REGISTER_RATE_LIMITER",
  /** Workers Rate Limiting: consent starts and consent posts (`/authorize`) per client IP. */
  authorizeLimiter: "AUTHORIZE_RATE_LIMITER",
} as const;

/** Worker secrets; the provisioner pushes all of them in one operation. */
export const WORKER_SECRET_NAMES = [
  "MCPBOX_SERVICE_TOKEN",
  "ACCESS_CLIENT_ID",
  "ACCESS_CLIENT_SECRET",
  "ACCESS_TOKEN_URL",
  "ACCESS_AUTHORIZATION_URL",
  "ACCESS_JWKS_URL",
  "COOKIE_ENCRYPTION_KEY",
] as const;
export type WorkerSecretName = (typeof WORKER_SECRET_NAMES)[number];

/**
 * Worker plain-text variables (wrangler.toml `[vars]`), all optional. The gateway's address behind
 * the tunnel is its *target* (GATEWAY_TARGET_*): GATEWAY_HOST and GATEWAY_PORT are the gateway's
 * own listen address (GATEWAY_ENV), a different thing that must not share a name.
 */
export const WORKER_VAR_NAMES = {
  /** The gateway's host name as the Workers VPC service reaches it through the tunnel. */
  gatewayTargetHost: "GATEWAY_TARGET_HOST",
  gatewayTargetPort: "GATEWAY_TARGET_PORT",
  corsOrigins: "CORS_ORIGINS",
  allowedEmails: "ALLOWED_EMAILS",
  accessIssuer: "ACCESS_ISSUER",
  accessTokenTtlSeconds: "ACCESS_TOKEN_TTL_SECONDS",
  refreshTokenTtlSeconds: "REFRESH_TOKEN_TTL_SECONDS",
  refreshTokenIdleSeconds: "REFRESH_TOKEN_IDLE_SECONDS",
  grantMaxAgeSeconds: "GRANT_MAX_AGE_SECONDS",
  accessRecheckSeconds: "ACCESS_RECHECK_SECONDS",
} as const;

/** Environment variables read by the gateway's loadConfig(). */
export const GATEWAY_ENV = {
  serviceToken: "MCPBOX_SERVICE_TOKEN",
  /** Where the gateway listens (not where the Worker sends requests: WORKER_VAR_NAMES.gatewayTarget*). */
  host: "GATEWAY_HOST",
  port: "GATEWAY_PORT",
  upstreamUrl: "MCP_UPSTREAM_URL",
  upstreamCommand: "MCP_UPSTREAM_COMMAND",
  allowedEmails: "MCPBOX_ALLOWED_EMAILS",
  auditLog: "MCPBOX_AUDIT_LOG",
  allowedHosts: "GATEWAY_ALLOWED_HOSTS",
  allowedOrigins: "GATEWAY_ALLOWED_ORIGINS",
  maxBodyBytes: "GATEWAY_MAX_BODY_BYTES",
  upstreamTimeoutMs: "GATEWAY_UPSTREAM_TIMEOUT_MS",
  maxSessions: "GATEWAY_MAX_SESSIONS",
  maxSessionsPerUser: "GATEWAY_MAX_SESSIONS_PER_USER",
  maxConcurrentPerUser: "GATEWAY_MAX_CONCURRENT_PER_USER",
  sessionIdleMs: "GATEWAY_SESSION_IDLE_MS",
  drainMs: "GATEWAY_DRAIN_MS",
  sseKeepaliveMs: "GATEWAY_SSE_KEEPALIVE_MS",
  policy: "MCPBOX_POLICY",
} as const;

/** Environment variables the provisioner reads (besides its flags). */
export const PROVISIONER_ENV = {
  apiToken: "CLOUDFLARE_API_TOKEN",
  apiBaseUrl: "CLOUDFLARE_API_BASE_URL",
} as const;

/** Keys the provisioner writes into `--env-file` for the gateway and cloudflared. */
export const ENV_FILE_KEYS = {
  tunnelToken: "TUNNEL_TOKEN",
  serviceToken: "MCPBOX_SERVICE_TOKEN",
  /** Derived from `--allow emails:…|domain:…`, so the gateway's check agrees with the Access policy. */
  allowedEmails: "MCPBOX_ALLOWED_EMAILS",
} as const;

/** Environment that keeps wrangler quiet and offline: no metrics, no error reports, no banner. */
export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
} as const;
