/**
 * CORS and Origin policy for /mcp and its `/` alias. Browsers may call from the built-in MCP
 * client origins plus CORS_ORIGINS; any other `Origin` is refused with 403 (MCP transport
 * security: validate Origin). Non-browser clients send no Origin and are not affected.
 */
import { MCP_HEADERS, MCP_HTTP_METHODS } from "@mcpbox/shared";

/**
 * Browser origins of the MCP clients the Worker accepts without configuration.
 * More can be added with the Worker's `CORS_ORIGINS` variable.
 */
export const BUILTIN_CORS_ORIGINS = [
  "https://claude.ai",
  "https://mcp.claude.ai",
  "https://chatgpt.com",
  "https://chat.openai.com",
  "https://platform.openai.com",
  "https://one.dash.cloudflare.com",
] as const;

/** Headers a browser client may send (CORS `Access-Control-Allow-Headers`). */
export const CORS_ALLOWED_REQUEST_HEADERS = [
  "Authorization",
  "Content-Type",
  MCP_HEADERS.sessionId,
  MCP_HEADERS.protocolVersion,
  MCP_HEADERS.method,
  MCP_HEADERS.name,
  MCP_HEADERS.lastEventId,
] as const;

/** Response headers a browser client must be able to read (CORS `Access-Control-Expose-Headers`). */
const CORS_EXPOSED_RESPONSE_HEADERS = [MCP_HEADERS.sessionId, MCP_HEADERS.protocolVersion, "WWW-Authenticate"] as const;

const PREFLIGHT_MAX_AGE_SECONDS = 600;

export type OriginCheck = { kind: "none" } | { kind: "allowed"; origin: string } | { kind: "forbidden"; origin: string };

/** Classifies the request's `Origin` header against the allowed set (exact match, RFC 6454 serialization). */
export function checkOrigin(request: Request, allowed: ReadonlySet<string>): OriginCheck {
  const origin = request.headers.get("Origin");
  if (origin === null) return { kind: "none" };
  return allowed.has(origin) ? { kind: "allowed", origin } : { kind: "forbidden", origin };
}

/** The answer to a CORS preflight from an allowed origin. */
export function preflightResponse(origin: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": [...MCP_HTTP_METHODS, "OPTIONS"].join(", "),
      "Access-Control-Allow-Headers": CORS_ALLOWED_REQUEST_HEADERS.join(", "),
      "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_SECONDS),
      Vary: "Origin",
    },
  });
}

/**
 * The response with this Worker's CORS headers, replacing any set further in (the OAuth library
 * reflects every origin; the gateway sets none). `Vary: Origin` is always present for caches.
 */
export function withCors(response: Response, check: OriginCheck): Response {
  const out = new Response(response.body, response);
  for (const name of [...out.headers.keys()]) {
    if (name.startsWith("access-control-")) out.headers.delete(name);
  }
  const vary = (out.headers.get("Vary") ?? "").split(",").map((value) => value.trim()).filter(Boolean);
  if (!vary.some((value) => value.toLowerCase() === "origin")) vary.push("Origin");
  out.headers.set("Vary", vary.join(", "));
  if (check.kind === "allowed") {
    out.headers.set("Access-Control-Allow-Origin", check.origin);
    out.headers.set("Access-Control-Expose-Headers", CORS_EXPOSED_RESPONSE_HEADERS.join(", "));
  }
  return out;
}
