/**
 * Path allowlist: the gateway serves `POST|GET|DELETE /mcp` and `GET /health`,
 * judged on the raw request target as it arrived, before any URL normalisation. Traversal
 * (`/mcp/../admin`), encoded dots (`%2e%2e`), doubled slashes, case and trailing slashes all miss.
 */
import { GATEWAY_PATHS, MCP_HTTP_METHODS } from "@mcpbox/shared";

export type TargetCheck = { ok: true; path: (typeof GATEWAY_PATHS)[keyof typeof GATEWAY_PATHS] } | { ok: false };

const MCP_METHODS: ReadonlySet<string> = new Set(MCP_HTTP_METHODS);
const REFUSED: TargetCheck = { ok: false };
const MCP: TargetCheck = { ok: true, path: GATEWAY_PATHS.mcp };
const HEALTH: TargetCheck = { ok: true, path: GATEWAY_PATHS.health };

/**
 * Checks a raw HTTP request target (RFC 9112 §3.2, origin-form) and method against the allowlist.
 * Only the exact paths pass; a query string is tolerated and never forwarded. Pure.
 */
export function checkRequestTarget(rawTarget: string, method: string): TargetCheck {
  const query = rawTarget.indexOf("?");
  const path = query === -1 ? rawTarget : rawTarget.slice(0, query);
  if (path === GATEWAY_PATHS.mcp) return MCP_METHODS.has(method) ? MCP : REFUSED;
  if (path === GATEWAY_PATHS.health) return method === "GET" ? HEALTH : REFUSED;
  return REFUSED;
}
