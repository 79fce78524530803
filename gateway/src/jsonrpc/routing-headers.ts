/**
 * `Mcp-Method` and `Mcp-Name` mirror a POST's body so that hops can route without parsing it
 * (MCP 2026-07-28, Streamable HTTP; SEP-2243). The gateway never decides on them: it compares
 * them with the body it parsed and refuses a request whose headers disagree (servers must answer
 * such a request with error -32020), so no hop behind it can act on a header the body contradicts.
 */
import { MCP_HEADERS } from "@mcpbox/shared";
import { quoted } from "./message";
import type { JsonRpcMessage } from "./message";

export type RoutingHeaderCheck = { ok: true } | { ok: false; detail: string };

// A value that is not plain ASCII travels as `=?base64?<base64 of its UTF-8>?=`.
const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const OK: RoutingHeaderCheck = { ok: true };

const shown = (value: string | null) => (value === null ? "none" : quoted(value));

/** The text a routing header carries: its base64 form decoded, or null when that form is malformed. Pure. */
export function decodeRoutingHeader(value: string): string | null {
  if (!value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX) || value.length < BASE64_PREFIX.length + BASE64_SUFFIX.length)
    return value;
  const encoded = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!CANONICAL_BASE64.test(encoded)) return null;
  try {
    return utf8.decode(Buffer.from(encoded, "base64"));
  } catch {
    // Not UTF-8: no body string can equal it.
    return null;
  }
}

function compare(
  header: string,
  raw: string,
  bodyValue: (m: JsonRpcMessage) => string | null,
  what: string,
  messages: readonly JsonRpcMessage[],
): RoutingHeaderCheck {
  const value = decodeRoutingHeader(raw);
  if (value === null) return { ok: false, detail: `the ${header} header is not valid base64-encoded UTF-8` };
  for (const message of messages) {
    const expected = bodyValue(message);
    if (expected !== value)
      return { ok: false, detail: `the ${header} header (${shown(value)}) does not match the body's ${what} (${shown(expected)})` };
  }
  return OK;
}

/**
 * Checks the routing headers present on a POST against every message of its body (a batch must
 * agree throughout). An absent header is not checked: the upstream decides whether it needs it. Pure.
 */
export function checkRoutingHeaders(
  method: string | undefined,
  name: string | undefined,
  messages: readonly JsonRpcMessage[],
): RoutingHeaderCheck {
  if (method !== undefined) {
    const result = compare(MCP_HEADERS.method, method, (m) => m.method, "method", messages);
    if (!result.ok) return result;
  }
  if (name !== undefined) return compare(MCP_HEADERS.name, name, (m) => m.target, "name", messages);
  return OK;
}
