/**
 * The gateway's configuration: read from the environment once, validated, frozen. Every mistake
 * gets its own message naming the variable and what to do; all of them are reported together.
 * This is the only module that reads environment variables.
 */
import {
  DEFAULT_GATEWAY_PORT,
  GATEWAY_ENV,
  MIN_SERVICE_TOKEN_LENGTH,
  SERVICE_TOKEN_SEPARATOR,
  parseEmailAllowlist,
  parseOriginList,
} from "@mcpbox/shared";
import type { EmailAllowlist } from "@mcpbox/shared";
import {
  DEFAULT_GATEWAY_BIND_HOST,
  DEFAULT_GATEWAY_DRAIN_MS,
  DEFAULT_GATEWAY_MAX_BODY_BYTES,
  DEFAULT_GATEWAY_MAX_CONCURRENT_PER_USER,
  DEFAULT_GATEWAY_MAX_HTTP_SESSIONS,
  DEFAULT_GATEWAY_MAX_SESSIONS,
  DEFAULT_GATEWAY_SESSION_IDLE_MS,
  DEFAULT_GATEWAY_SESSIONS_PER_USER_DIVISOR,
  DEFAULT_GATEWAY_SSE_KEEPALIVE_MS,
  DEFAULT_GATEWAY_UPSTREAM_TIMEOUT_MS,
  GATEWAY_BUILTIN_ALLOWED_HOSTS,
} from "./config-defaults";
import { splitCommandLine } from "./upstream/command-line";

/** Where MCP traffic goes: a Streamable HTTP server, or a stdio command spawned per session. */
export type UpstreamConfig =
  | { readonly kind: "http"; readonly url: URL }
  | { readonly kind: "stdio"; readonly command: string; readonly args: readonly string[] };

export interface GatewayConfig {
  /** One token, or two during a rotation; any of them is accepted. */
  readonly serviceTokens: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly upstream: UpstreamConfig;
  readonly allowedEmails: EmailAllowlist;
  /** Path of the JSON-lines audit log; undefined means stdout. */
  readonly auditLogPath: string | undefined;
  /** Lower-cased host names accepted in the `Host` header (without port). */
  readonly allowedHosts: readonly string[];
  /** Browser origins accepted in the `Origin` header; none by default. */
  readonly allowedOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly upstreamTimeoutMs: number;
  /** MCP sessions held at once: stdio children, or Streamable HTTP sessions bound to their users. */
  readonly maxSessions: number;
  /** Sessions one verified email (or all callers without an email together) may hold at once. */
  readonly maxSessionsPerUser: number;
  /** Requests, streams included, one email (or all callers without an email together) may have in flight. */
  readonly maxConcurrentPerUser: number;
  readonly sessionIdleMs: number;
  readonly drainMs: number;
  /** Quiet time after which an SSE response gets a keepalive comment; 0 means never. */
  readonly sseKeepaliveMs: number;
  /** Path of the per-user tool policy file; undefined: no policy, every allowed email may do everything. */
  readonly policyPath: string | undefined;
}

/** Thrown by loadConfig: `problems` holds one human message per mistake. */
export class ConfigError extends Error {
  readonly code = "invalid_config" as const;
  constructor(readonly problems: readonly string[]) {
    super(`invalid gateway configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

// Printable ASCII without space or comma: survives an HTTP header and the comma-separated list.
const TOKEN_PATTERN = /^[\x21-\x2b\x2d-\x7e]+$/;
// A DNS name, IPv4 address or bracketed IPv6 address, as it appears in a Host header.
const HOST_NAME_PATTERN = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)$/;
// Keepalive interval bounds: below 10 ms it is noise; from 100 s on Cloudflare has already cut
// the quiet connection, so the comment would come too late to help.
const MIN_SSE_KEEPALIVE_MS = 10;
const MAX_SSE_KEEPALIVE_MS = 99_999;

/**
 * Reads and validates the gateway's environment variables (names in `GATEWAY_ENV`).
 * Throws ConfigError listing every mistake; the gateway must not start without a service token.
 */
export function loadConfig(env: Env): GatewayConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const serviceTokens = parseTokens(read(GATEWAY_ENV.serviceToken), problems);
  const host = read(GATEWAY_ENV.host) ?? DEFAULT_GATEWAY_BIND_HOST;
  const port = parseInteger(GATEWAY_ENV.port, read(GATEWAY_ENV.port), DEFAULT_GATEWAY_PORT, 0, 65_535, problems);
  const upstream = parseUpstream(read(GATEWAY_ENV.upstreamUrl), read(GATEWAY_ENV.upstreamCommand), problems);

  let allowedEmails: EmailAllowlist = parseEmailAllowlist(undefined);
  try {
    allowedEmails = parseEmailAllowlist(read(GATEWAY_ENV.allowedEmails));
  } catch (error) {
    problems.push(`${GATEWAY_ENV.allowedEmails}: ${(error as Error).message}`);
  }

  const allowedHosts = new Set<string>(GATEWAY_BUILTIN_ALLOWED_HOSTS);
  for (const raw of (read(GATEWAY_ENV.allowedHosts) ?? "").split(",")) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (HOST_NAME_PATTERN.test(name)) allowedHosts.add(name);
    else problems.push(`${GATEWAY_ENV.allowedHosts}: "${raw.trim()}" is not a host name (expected e.g. gateway.internal, without port)`);
  }

  let allowedOrigins: string[] = [];
  try {
    allowedOrigins = parseOriginList(read(GATEWAY_ENV.allowedOrigins));
  } catch (error) {
    problems.push(`${GATEWAY_ENV.allowedOrigins}: ${(error as Error).message}`);
  }

  const maxBodyBytes = parseInteger(GATEWAY_ENV.maxBodyBytes, read(GATEWAY_ENV.maxBodyBytes), DEFAULT_GATEWAY_MAX_BODY_BYTES, 1, 2 ** 31, problems);
  const upstreamTimeoutMs = parseInteger(GATEWAY_ENV.upstreamTimeoutMs, read(GATEWAY_ENV.upstreamTimeoutMs), DEFAULT_GATEWAY_UPSTREAM_TIMEOUT_MS, 1, 2 ** 31, problems);
  const defaultMaxSessions = upstream?.kind === "http" ? DEFAULT_GATEWAY_MAX_HTTP_SESSIONS : DEFAULT_GATEWAY_MAX_SESSIONS;
  const maxSessions = parseInteger(GATEWAY_ENV.maxSessions, read(GATEWAY_ENV.maxSessions), defaultMaxSessions, 1, 10_000, problems);
  const defaultPerUser = Math.ceil(maxSessions / DEFAULT_GATEWAY_SESSIONS_PER_USER_DIVISOR);
  const maxSessionsPerUser = parseInteger(GATEWAY_ENV.maxSessionsPerUser, read(GATEWAY_ENV.maxSessionsPerUser), defaultPerUser, 1, maxSessions, problems);
  const maxConcurrentPerUser = parseInteger(
    GATEWAY_ENV.maxConcurrentPerUser,
    read(GATEWAY_ENV.maxConcurrentPerUser),
    DEFAULT_GATEWAY_MAX_CONCURRENT_PER_USER,
    1,
    100_000,
    problems,
  );
  const sessionIdleMs = parseInteger(GATEWAY_ENV.sessionIdleMs, read(GATEWAY_ENV.sessionIdleMs), DEFAULT_GATEWAY_SESSION_IDLE_MS, 1, 2 ** 31, problems);
  const drainMs = parseInteger(GATEWAY_ENV.drainMs, read(GATEWAY_ENV.drainMs), DEFAULT_GATEWAY_DRAIN_MS, 0, 2 ** 31, problems);
  const sseKeepaliveMs = parseKeepalive(read(GATEWAY_ENV.sseKeepaliveMs), problems);

  if (problems.length > 0 || !upstream) throw new ConfigError(problems);
  return Object.freeze({
    serviceTokens: Object.freeze(serviceTokens),
    host,
    port,
    upstream: Object.freeze(upstream),
    allowedEmails,
    auditLogPath: read(GATEWAY_ENV.auditLog),
    allowedHosts: Object.freeze([...allowedHosts]),
    allowedOrigins: Object.freeze(allowedOrigins),
    maxBodyBytes,
    upstreamTimeoutMs,
    maxSessions,
    maxSessionsPerUser,
    maxConcurrentPerUser,
    sessionIdleMs,
    drainMs,
    sseKeepaliveMs,
    policyPath: read(GATEWAY_ENV.policy),
  });
}

function parseTokens(value: string | undefined, problems: string[]): string[] {
  const name = GATEWAY_ENV.serviceToken;
  if (!value) {
    problems.push(`${name} is not set: the gateway never runs without a service token (the provisioner writes one with --env-file)`);
    return [];
  }
  const tokens = value.split(SERVICE_TOKEN_SEPARATOR).map((t) => t.trim());
  if (tokens.length > 2) problems.push(`${name} holds ${tokens.length} tokens: give one, or two separated by a comma while rotating`);
  tokens.forEach((token, index) => {
    const which = tokens.length > 1 ? `token ${index + 1} of ${name}` : name;
    if (!token) problems.push(`${which} is empty`);
    else if (!TOKEN_PATTERN.test(token)) problems.push(`${which} contains spaces or characters that cannot travel in an HTTP header`);
    else if (token.length < MIN_SERVICE_TOKEN_LENGTH)
      problems.push(`${which} is too short (${token.length} characters): use at least ${MIN_SERVICE_TOKEN_LENGTH}, e.g. \`openssl rand -hex 32\``);
  });
  return tokens;
}

function parseUpstream(url: string | undefined, command: string | undefined, problems: string[]): UpstreamConfig | undefined {
  const { upstreamUrl, upstreamCommand } = GATEWAY_ENV;
  if (url && command) {
    problems.push(`set either ${upstreamUrl} or ${upstreamCommand}, not both`);
    return undefined;
  }
  if (!url && !command) {
    problems.push(`no upstream MCP server: set ${upstreamUrl} (a Streamable HTTP server) or ${upstreamCommand} (a stdio server command)`);
    return undefined;
  }
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push(`${upstreamUrl} is not a URL (expected e.g. http://127.0.0.1:3001/mcp)`);
      return undefined;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      problems.push(`${upstreamUrl} must start with http:// or https://`);
      return undefined;
    }
    if (parsed.username || parsed.password) {
      problems.push(`${upstreamUrl} must not contain a user name or password`);
      return undefined;
    }
    return { kind: "http", url: parsed };
  }
  const split = splitCommandLine(command as string);
  if (!split.ok) {
    problems.push(`${upstreamCommand} cannot be split into words: ${split.reason}`);
    return undefined;
  }
  const [program, ...args] = split.argv as [string, ...string[]];
  return { kind: "stdio", command: program, args };
}

function parseKeepalive(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULT_GATEWAY_SSE_KEEPALIVE_MS;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (n === 0 || (n >= MIN_SSE_KEEPALIVE_MS && n <= MAX_SSE_KEEPALIVE_MS)) return n;
  problems.push(
    `${GATEWAY_ENV.sseKeepaliveMs} must be 0 (off) or whole milliseconds from ${MIN_SSE_KEEPALIVE_MS} to ${MAX_SSE_KEEPALIVE_MS}, got "${value}" (Cloudflare cuts a stream that stays quiet for about 100 s; the default is ${DEFAULT_GATEWAY_SSE_KEEPALIVE_MS})`,
  );
  return DEFAULT_GATEWAY_SSE_KEEPALIVE_MS;
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    problems.push(`${name} must be a whole number, got "${value}"`);
    return fallback;
  }
  const n = Number(value);
  if (n < min || n > max) {
    problems.push(`${name} must be between ${min} and ${max}, got ${n}`);
    return fallback;
  }
  return n;
}
