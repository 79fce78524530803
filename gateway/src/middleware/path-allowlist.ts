/**
 * Path allowlist (design layer 4): the gateway serves `POST|GET|DELETE /mcp` and `GET /health`,
 * judged on the raw request target as it arrived, before any URL normalisation. Traversal
 * (`/mcp/../admin`), encoded dots (`%2e%2e`), doubled slashes, case and trailing slashes all miss.
 */
import { GATEWAY_PATHS, MCP_HTTP_METHODS } from "@mcpbox/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context";
import { NOT_FOUND_MESSAGE } from "../errors";
import { refuse } from "./refuse";

export type TargetCheck = { ok: true; path: (typeof GATEWAY_PATHS)[keyof typeof GATEWAY_PATHS] } | { ok: false };

const MCP_METHODS: ReadonlySet<string> = new Set(MCP_HTTP_METHODS);
const REFUSED: TargetCheck = { ok: false };

/**
 * Checks a raw HTTP request target (RFC 9112 §3.2, origin-form) and method against the allowlist.
 * Only the exact paths pass; a query string is tolerated and never forwarded. Pure.
 */
export function checkRequestTarget(rawTarget: string, method: string): TargetCheck {
  const query = rawTarget.indexOf("?");
  const path = query === -1 ? rawTarget : rawTarget.slice(0, query);
  if (path === GATEWAY_PATHS.mcp) return MCP_METHODS.has(method) ? { ok: true, path } : REFUSED;
  if (path === GATEWAY_PATHS.health) return method === "GET" ? { ok: true, path } : REFUSED;
  return REFUSED;
}

/** The raw target from Node when available; otherwise the (already normalised) URL. */
function rawTargetOf(c: Parameters<MiddlewareHandler<GatewayEnv>>[0]): string {
  const raw = c.env?.incoming?.url;
  if (typeof raw === "string") return raw;
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/** Answers 404 JSON to everything outside the allowlist, before any other check. */
export function pathAllowlist(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (!checkRequestTarget(rawTargetOf(c), c.req.method).ok) return refuse(c, "not_found", NOT_FOUND_MESSAGE);
    await next();
  };
}
