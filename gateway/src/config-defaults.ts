/**
 * The gateway's defaults and limits, each overridable by the environment variable its comment
 * names (see config.ts and gateway/README.md). Units are in the names.
 */
import { DEFAULT_GATEWAY_HOSTNAME } from "@mcpbox/shared";

/** Where the gateway listens unless `GATEWAY_HOST` says otherwise: this machine only. */
export const DEFAULT_GATEWAY_BIND_HOST = "127.0.0.1" as const;

/** Host names the gateway always answers to (DNS-rebinding guard); more via `GATEWAY_ALLOWED_HOSTS`. */
export const GATEWAY_BUILTIN_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", DEFAULT_GATEWAY_HOSTNAME] as const;

/** Largest request body the gateway accepts, counted on the bytes actually received (`GATEWAY_MAX_BODY_BYTES`). */
export const DEFAULT_GATEWAY_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** How long the gateway waits for an upstream's response headers before answering 504 (`GATEWAY_UPSTREAM_TIMEOUT_MS`). */
export const DEFAULT_GATEWAY_UPSTREAM_TIMEOUT_MS = 60_000;

/** Concurrent stdio MCP sessions (one child process each) the gateway runs at most (`GATEWAY_MAX_SESSIONS`). */
export const DEFAULT_GATEWAY_MAX_SESSIONS = 32;

/** Concurrent sessions of a Streamable HTTP upstream the gateway tracks at most (one small record each). */
export const DEFAULT_GATEWAY_MAX_HTTP_SESSIONS = 1024;

/**
 * Unless `GATEWAY_MAX_SESSIONS_PER_USER` says otherwise, one user (or all callers without an email
 * together) may hold this share of `GATEWAY_MAX_SESSIONS`, so at least four always fit.
 */
export const DEFAULT_GATEWAY_SESSIONS_PER_USER_DIVISOR = 4;

/** Requests (streams included) one user, or all callers without an email together, may have in flight (`GATEWAY_MAX_CONCURRENT_PER_USER`). */
export const DEFAULT_GATEWAY_MAX_CONCURRENT_PER_USER = 64;

/** A stdio session with no traffic for this long is closed and its child process killed (`GATEWAY_SESSION_IDLE_MS`). */
export const DEFAULT_GATEWAY_SESSION_IDLE_MS = 15 * 60_000;

/** On SIGTERM/SIGINT, in-flight requests get this long to finish before connections are cut (`GATEWAY_DRAIN_MS`). */
export const DEFAULT_GATEWAY_DRAIN_MS = 10_000;

/**
 * An SSE response that carried no byte for this long gets a `: keepalive` comment (WHATWG HTML
 * §9.2.6: comment lines are ignored by parsers). Cloudflare closes a connection idle for about
 * 100 s, so this stays well below it (`GATEWAY_SSE_KEEPALIVE_MS`).
 */
export const DEFAULT_GATEWAY_SSE_KEEPALIVE_MS = 25_000;
