/**
 * @mcpbox/shared — runtime-neutral contracts used by the Worker, the gateway and the provisioner.
 * No `node:` imports and no Workers globals may appear in this package.
 */
export {
  AUTH_METHOD_OIDC,
  CORS_ALLOWED_REQUEST_HEADERS,
  CORS_EXPOSED_RESPONSE_HEADERS,
  MCPBOX_HEADERS,
  MCPBOX_HEADER_PREFIX_LOWER,
  MCP_HEADERS,
  MCP_TRANSPORT_REQUEST_HEADERS,
} from "./headers";
export { GATEWAY_PATHS, HEALTH_BODY, WORKER_PATHS } from "./paths";
export {
  ENV_FILE_KEYS,
  GATEWAY_ENV,
  PROVISIONER_ENV,
  QUIET_WRANGLER_ENV,
  WORKER_BINDINGS,
  WORKER_SECRET_NAMES,
  WORKER_VAR_NAMES,
  WIZARD_ENV,
} from "./names";
export type { WorkerSecretName } from "./names";
export {
  ACCESS_APP_GRANT_TYPES,
  ACCESS_OFFLINE_SCOPE,
  ACCESS_OIDC_SCOPES,
  ACCESS_REFRESH_TOKEN_LIFETIME,
  DEFAULT_CLOUDFLARE_API_BASE_URL,
  DEFAULT_GATEWAY_BIND_HOST,
  DEFAULT_GATEWAY_HOSTNAME,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_RESOURCE_NAMES,
  DEFAULT_STATE_FILE,
  DEFAULT_ENV_FILE,
  ENV_FILE_NAME,
  DEFAULT_WIZARD_PORT,
  MIN_CLOUDFLARED_VERSION,
  SERVICE_TOKEN_BYTES,
  SERVICE_TOKEN_SEPARATOR,
  COOKIE_ENCRYPTION_KEY_BYTES,
  DEFAULT_GATEWAY_DRAIN_MS,
  DEFAULT_GATEWAY_MAX_BODY_BYTES,
  DEFAULT_GATEWAY_MAX_SESSIONS,
  DEFAULT_GATEWAY_MAX_HTTP_SESSIONS,
  DEFAULT_GATEWAY_SESSIONS_PER_USER_DIVISOR,
  DEFAULT_GATEWAY_MAX_CONCURRENT_PER_USER,
  DEFAULT_GATEWAY_SESSION_IDLE_MS,
  DEFAULT_GATEWAY_SSE_KEEPALIVE_MS,
  DEFAULT_GATEWAY_UPSTREAM_TIMEOUT_MS,
  GATEWAY_BUILTIN_ALLOWED_HOSTS,
  MIN_SERVICE_TOKEN_LENGTH,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  MIN_ACCESS_TOKEN_TTL_SECONDS,
  LOCAL_STACK_STATE,
  DEFAULT_ACCESS_RECHECK_SECONDS,
  DEFAULT_GRANT_MAX_AGE_SECONDS,
  DEFAULT_REFRESH_TOKEN_IDLE_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
} from "./defaults";
export { BUILTIN_CORS_ORIGINS, parseOriginList } from "./cors";
export { CLOUDFLARED_INSTALL_URL, compareVersions, parseCloudflaredVersion } from "./cloudflared";
export { parseEnvFile } from "./env-file";
export { accessOidcPath, accessOidcUrls, issuerFromAuthorizationUrl } from "./access-oidc";
export type { AccessOidcUrls } from "./access-oidc";
export { isEmailAllowed, isValidEmail, parseEmailAllowlist } from "./email-allowlist";
export type { EmailAllowlist } from "./email-allowlist";
export { grantMetadataFor, parseGrantMetadata } from "./grant-metadata";
export type { GrantMetadata } from "./grant-metadata";
export {
  ANONYMOUS_METHODS,
  JSONRPC_ERROR,
  NOTIFICATION_METHOD_PREFIX,
  jsonRpcError,
} from "./jsonrpc";
export type { JsonRpcErrorBody, JsonRpcId } from "./jsonrpc";
