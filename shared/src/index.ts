/**
 * @mcpbox/shared — runtime-neutral contracts used by the Worker, the gateway and the provisioner.
 * No `node:` imports and no Workers globals may appear in this package.
 */
export {
  AUTH_METHOD_OIDC,
  MCPBOX_HEADERS,
  MCP_HEADERS,
  MCP_TRANSPORT_REQUEST_HEADERS,
} from "./headers";
export { GATEWAY_PATHS, HEALTH_BODY, MCP_HTTP_METHODS, WORKER_PATHS } from "./paths";
export type { McpHttpMethod } from "./paths";
export {
  ENV_FILE_KEYS,
  GATEWAY_ENV,
  PROVISIONER_ENV,
  QUIET_WRANGLER_ENV,
  WORKER_BINDINGS,
  WORKER_SECRET_NAMES,
  WORKER_VAR_NAMES,
} from "./names";
export type { WorkerSecretName } from "./names";
export {
  ACCESS_OFFLINE_SCOPE,
  ACCESS_OIDC_SCOPES,
  ACCESS_REFRESH_TOKEN_LIFETIME,
  DEFAULT_GATEWAY_HOSTNAME,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_STATE_FILE,
  DEFAULT_ENV_FILE,
  MIN_CLOUDFLARED_VERSION,
  SERVICE_TOKEN_BYTES,
  SERVICE_TOKEN_SEPARATOR,
  COOKIE_ENCRYPTION_KEY_BYTES,
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
export { parseOriginList } from "./cors";
export { CLOUDFLARED_INSTALL_URL, compareVersions, parseCloudflaredVersion } from "./cloudflared";
export { parseEnvFile } from "./env-file";
export { accessOidcPath, accessOidcUrls, issuerFromAuthorizationUrl } from "./access-oidc";
export type { AccessOidcUrls } from "./access-oidc";
export { isEmailAllowed, isValidEmail, parseEmailAllowlist } from "./email-allowlist";
export type { EmailAllowlist } from "./email-allowlist";
export { grantMetadataFor, parseGrantMetadata } from "./grant-metadata";
export type { GrantMetadata } from "./grant-metadata";
export { JSONRPC_ERROR, jsonRpcError } from "./jsonrpc";
export type { JsonRpcErrorBody, JsonRpcId } from "./jsonrpc";
