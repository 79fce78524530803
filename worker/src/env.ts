/**
 * The Worker's environment, typed once: the bindings, secrets and vars that `wrangler types`
 * declares (worker-configuration.d.ts), read and validated into one frozen `WorkerConfig`.
 * A missing or malformed setting becomes a ConfigError that names the setting in the log only.
 */
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  MIN_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_GATEWAY_HOSTNAME,
  DEFAULT_GATEWAY_PORT,
  WORKER_BINDINGS,
  WORKER_SECRET_NAMES,
  WORKER_VAR_NAMES,
  issuerFromAuthorizationUrl,
  parseEmailAllowlist,
  parseOriginList,
  type EmailAllowlist,
  type WorkerSecretName,
} from "@mcpbox/shared";
import { ConfigError } from "./http/errors";
import { parseGrantLifetimes, type GrantLifetimes } from "./oauth/grant-lifetimes";
import { BUILTIN_CORS_ORIGINS } from "./proxy/cors";

/** The environment as wrangler declares it. Every value may still be absent at run time. */
export type WorkerEnv = Env;

export interface AccessSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  /** Expected `iss` of id_tokens: `ACCESS_ISSUER`, or the authorization URL without `/authorization`. */
  readonly issuer: string;
}

export interface WorkerConfig {
  readonly kv: KVNamespace;
  readonly tunnel: Fetcher;
  /** Per-client-IP limits on anonymous registrations and on consent starts and posts. */
  readonly limiters: { readonly register: RateLimit; readonly authorize: RateLimit };
  readonly serviceToken: string;
  readonly access: AccessSettings;
  /** 32 bytes from `COOKIE_ENCRYPTION_KEY` (64 hex characters). */
  readonly cookieKey: Uint8Array;
  /** `http://<GATEWAY_TARGET_HOST>:<GATEWAY_TARGET_PORT>`, the gateway as the tunnel binding sees it. */
  readonly gatewayOrigin: string;
  /** Browser origins allowed to call /mcp: the built-in MCP clients plus `CORS_ORIGINS`. */
  readonly corsOrigins: ReadonlySet<string>;
  readonly allowedEmails: EmailAllowlist;
  readonly accessTokenTtlSeconds: number;
  /** Refresh-token lifetimes, maximum grant age and the Access re-check interval. */
  readonly grantLifetimes: GrantLifetimes;
}

export type ConfigResult = { ok: true; config: WorkerConfig } | { ok: false; error: ConfigError };

const MIN_TOKEN_TTL_SECONDS = MIN_ACCESS_TOKEN_TTL_SECONDS;
const MAX_TOKEN_TTL_SECONDS = MAX_ACCESS_TOKEN_TTL_SECONDS;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const cache = new WeakMap<object, ConfigResult>();

/**
 * Reads and validates every setting. The result is cached per env object, so a Worker isolate
 * parses its configuration once; a test that passes another env gets its own result.
 */
export function readConfig(env: WorkerEnv): ConfigResult {
  const cached = cache.get(env);
  if (cached) return cached;
  let result: ConfigResult;
  try {
    result = { ok: true, config: Object.freeze(parse(env as unknown as Record<string, unknown>)) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    result = { ok: false, error };
  }
  cache.set(env, result);
  return result;
}

function parse(raw: Record<string, unknown>): WorkerConfig {
  const kv = raw[WORKER_BINDINGS.oauthKv];
  if (!isKvNamespace(kv)) throw new ConfigError(WORKER_BINDINGS.oauthKv, "missing", "KV namespace binding");
  const tunnel = raw[WORKER_BINDINGS.tunnel];
  if (!isFetcher(tunnel)) throw new ConfigError(WORKER_BINDINGS.tunnel, "missing", "vpc_services binding");
  const limiter = (name: string): RateLimit => {
    const binding = raw[name];
    if (!isRateLimit(binding)) throw new ConfigError(name, "missing", "ratelimits binding");
    return binding;
  };
  const limiters = { register: limiter(WORKER_BINDINGS.registerLimiter), authorize: limiter(WORKER_BINDINGS.authorizeLimiter) };

  const secret = (name: WorkerSecretName): string => {
    const value = raw[name];
    if (typeof value !== "string" || value.trim() === "") throw new ConfigError(name, "missing", "secret");
    return value.trim();
  };
  for (const name of WORKER_SECRET_NAMES) secret(name);

  const authorizationUrl = upstreamUrl("ACCESS_AUTHORIZATION_URL", secret("ACCESS_AUTHORIZATION_URL"));
  const issuerVar = optionalVar(raw, WORKER_VAR_NAMES.accessIssuer);
  const issuer = issuerVar
    ? upstreamUrl(WORKER_VAR_NAMES.accessIssuer, issuerVar)
    : issuerFromAuthorizationUrl(authorizationUrl);

  return {
    kv,
    tunnel,
    limiters,
    serviceToken: secret("MCPBOX_SERVICE_TOKEN"),
    access: {
      clientId: secret("ACCESS_CLIENT_ID"),
      clientSecret: secret("ACCESS_CLIENT_SECRET"),
      authorizationUrl,
      tokenUrl: upstreamUrl("ACCESS_TOKEN_URL", secret("ACCESS_TOKEN_URL")),
      jwksUrl: upstreamUrl("ACCESS_JWKS_URL", secret("ACCESS_JWKS_URL")),
      issuer,
    },
    cookieKey: hexKey("COOKIE_ENCRYPTION_KEY", secret("COOKIE_ENCRYPTION_KEY")),
    gatewayOrigin: gatewayOrigin(raw),
    corsOrigins: corsOrigins(raw),
    allowedEmails: allowedEmails(raw),
    accessTokenTtlSeconds: tokenTtl(raw),
    grantLifetimes: parseGrantLifetimes(raw),
  };
}

function optionalVar(raw: Record<string, unknown>, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ConfigError(name, "invalid", "not a string");
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Access URLs must be HTTPS; plain HTTP is accepted only on a loopback host (local development). */
function upstreamUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, "invalid", "not a URL");
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError(name, "invalid", "must be an https URL");
  }
  if (url.username || url.password || url.hash) throw new ConfigError(name, "invalid", "no credentials or fragment allowed");
  return value.replace(/\/+$/, "");
}

function hexKey(name: string, value: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new ConfigError(name, "invalid", "expected 64 hex characters (32 bytes)");
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function gatewayOrigin(raw: Record<string, unknown>): string {
  const host = optionalVar(raw, WORKER_VAR_NAMES.gatewayTargetHost) ?? DEFAULT_GATEWAY_HOSTNAME;
  if (!HOSTNAME_PATTERN.test(host)) throw new ConfigError(WORKER_VAR_NAMES.gatewayTargetHost, "invalid", "not a host name");
  const portText = optionalVar(raw, WORKER_VAR_NAMES.gatewayTargetPort) ?? String(DEFAULT_GATEWAY_PORT);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) throw new ConfigError(WORKER_VAR_NAMES.gatewayTargetPort, "invalid", "not a TCP port");
  return `http://${host}:${port}`;
}

function corsOrigins(raw: Record<string, unknown>): ReadonlySet<string> {
  try {
    return new Set<string>([...BUILTIN_CORS_ORIGINS, ...parseOriginList(optionalVar(raw, WORKER_VAR_NAMES.corsOrigins))]);
  } catch (error) {
    throw new ConfigError(WORKER_VAR_NAMES.corsOrigins, "invalid", error instanceof Error ? error.message : undefined);
  }
}

function allowedEmails(raw: Record<string, unknown>): EmailAllowlist {
  try {
    return parseEmailAllowlist(optionalVar(raw, WORKER_VAR_NAMES.allowedEmails));
  } catch (error) {
    throw new ConfigError(WORKER_VAR_NAMES.allowedEmails, "invalid", error instanceof Error ? error.message : undefined);
  }
}

function tokenTtl(raw: Record<string, unknown>): number {
  const text = optionalVar(raw, WORKER_VAR_NAMES.accessTokenTtlSeconds);
  if (text === undefined) return DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= MIN_TOKEN_TTL_SECONDS && value <= MAX_TOKEN_TTL_SECONDS)) {
    throw new ConfigError(
      WORKER_VAR_NAMES.accessTokenTtlSeconds,
      "invalid",
      `expected whole seconds between ${MIN_TOKEN_TTL_SECONDS} and ${MAX_TOKEN_TTL_SECONDS}`,
    );
  }
  return value;
}

function isKvNamespace(value: unknown): value is KVNamespace {
  return typeof value === "object" && value !== null && typeof (value as { get?: unknown }).get === "function";
}

function isRateLimit(value: unknown): value is RateLimit {
  return typeof value === "object" && value !== null && typeof (value as { limit?: unknown }).limit === "function";
}

function isFetcher(value: unknown): value is Fetcher {
  return typeof value === "object" && value !== null && typeof (value as { fetch?: unknown }).fetch === "function";
}
