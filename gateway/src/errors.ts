/**
 * Every refusal and failure the gateway answers itself, and the one place they become HTTP
 * responses: a status and a JSON-RPC error body whose message says what failed, never a stack
 * trace, a token or an upstream's own error body.
 */
import { JSONRPC_ERROR, jsonRpcError } from "@mcpbox/shared";
import type { JsonRpcId } from "@mcpbox/shared";

export type GatewayErrorCode =
  | "not_found"
  | "malformed_http"
  | "headers_too_large"
  | "host_not_allowed"
  | "origin_not_allowed"
  | "token_missing"
  | "token_invalid"
  | "email_invalid"
  | "email_not_allowed"
  | "identity_required"
  | "stream_needs_identity"
  | "body_too_large"
  | "parse_error"
  | "invalid_request"
  | "unsupported_media_type"
  | "header_mismatch"
  | "session_required"
  | "session_not_found"
  | "too_many_sessions"
  | "too_many_user_sessions"
  | "too_many_requests"
  | "upstream_unreachable"
  | "upstream_timeout"
  | "upstream_failed"
  | "upstream_start_failed"
  | "shutting_down"
  | "policy_denied"
  | "rate_limited"
  | "internal";

interface WireShape {
  status: number;
  rpc: number;
}

const WIRE: Record<GatewayErrorCode, WireShape> = {
  not_found: { status: 404, rpc: JSONRPC_ERROR.invalidRequest },
  // Node's HTTP parser refused the request itself (RFC 9112 framing, header syntax).
  malformed_http: { status: 400, rpc: JSONRPC_ERROR.invalidRequest },
  headers_too_large: { status: 431, rpc: JSONRPC_ERROR.invalidRequest },
  host_not_allowed: { status: 403, rpc: JSONRPC_ERROR.forbidden },
  origin_not_allowed: { status: 403, rpc: JSONRPC_ERROR.forbidden },
  token_missing: { status: 403, rpc: JSONRPC_ERROR.forbidden },
  token_invalid: { status: 403, rpc: JSONRPC_ERROR.forbidden },
  email_invalid: { status: 403, rpc: JSONRPC_ERROR.forbidden },
  email_not_allowed: { status: 403, rpc: JSONRPC_ERROR.forbidden },
  // A JSON-RPC refusal of the method, not of the caller: the handshake itself stays allowed.
  identity_required: { status: 200, rpc: JSONRPC_ERROR.forbidden },
  // 405 tells MCP clients "no server-to-client stream here" and they carry on without one.
  stream_needs_identity: { status: 405, rpc: JSONRPC_ERROR.forbidden },
  body_too_large: { status: 413, rpc: JSONRPC_ERROR.requestTooLarge },
  parse_error: { status: 400, rpc: JSONRPC_ERROR.parseError },
  invalid_request: { status: 400, rpc: JSONRPC_ERROR.invalidRequest },
  unsupported_media_type: { status: 415, rpc: JSONRPC_ERROR.invalidRequest },
  header_mismatch: { status: 400, rpc: JSONRPC_ERROR.headerMismatch },
  session_required: { status: 400, rpc: JSONRPC_ERROR.invalidRequest },
  session_not_found: { status: 404, rpc: JSONRPC_ERROR.sessionNotFound },
  too_many_sessions: { status: 503, rpc: JSONRPC_ERROR.upstreamUnavailable },
  too_many_user_sessions: { status: 429, rpc: JSONRPC_ERROR.limitReached },
  too_many_requests: { status: 429, rpc: JSONRPC_ERROR.limitReached },
  upstream_unreachable: { status: 502, rpc: JSONRPC_ERROR.upstreamUnavailable },
  upstream_timeout: { status: 504, rpc: JSONRPC_ERROR.upstreamTimeout },
  upstream_failed: { status: 502, rpc: JSONRPC_ERROR.upstreamUnavailable },
  upstream_start_failed: { status: 502, rpc: JSONRPC_ERROR.upstreamUnavailable },
  shutting_down: { status: 503, rpc: JSONRPC_ERROR.upstreamUnavailable },
  // Like identity_required: the request is refused, the session stays usable.
  policy_denied: { status: 200, rpc: JSONRPC_ERROR.forbidden },
  // RFC 6585 §4, with Retry-After (RFC 9110 §10.2.3).
  rate_limited: { status: 429, rpc: JSONRPC_ERROR.rateLimited },
  internal: { status: 500, rpc: JSONRPC_ERROR.internalError },
};

/** A refusal or failure with a typed code; `message` is shown to the MCP client as is. */
export class GatewayError extends Error {
  readonly status: number;
  readonly rpcCode: number;
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GatewayError";
    this.status = WIRE[code].status;
    this.rpcCode = WIRE[code].rpc;
  }
}

/** Shown for anything that is not a GatewayError; the details go to the log only. */
export const INTERNAL_ERROR_MESSAGE = "Internal gateway error; the operator can find details in the gateway log";

export const NOT_FOUND_MESSAGE = "Not found: this gateway serves POST, GET and DELETE /mcp and GET /health only";

const JSON_HEADERS = { "content-type": "application/json" } as const;

export interface ErrorResponseOptions {
  /** Answer one JSON-RPC error per refused request id (default: one error with id null). */
  ids?: readonly JsonRpcId[];
  /** The refused body was a batch: answer with an array (JSON-RPC 2.0 §6). */
  batch?: boolean;
  /** Overrides the code's usual HTTP status. */
  status?: number;
  /** One message per id (same order), instead of the error's own message for all. */
  messages?: readonly string[];
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
}

/** The JSON text of an error body. */
export function errorBodyText(error: GatewayError, options: ErrorResponseOptions = {}): string {
  const ids = options.ids && options.ids.length > 0 ? options.ids : [null];
  const bodies = ids.map((id, index) => jsonRpcError(error.rpcCode, options.messages?.[index] ?? error.message, id));
  return JSON.stringify(options.batch || bodies.length > 1 ? bodies : bodies[0]);
}

/** An error answer as the wire carries it: status, headers and JSON body text. */
export interface ErrorParts {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Maps any thrown value to the wire. Unknown errors become a generic 500. */
export function errorParts(error: unknown, options: ErrorResponseOptions = {}): ErrorParts {
  const known = error instanceof GatewayError ? error : new GatewayError("internal", INTERNAL_ERROR_MESSAGE);
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (known.code === "stream_needs_identity") headers.allow = "POST, DELETE";
  // The unread rest of an oversized body would otherwise be parsed as the next request.
  if (known.code === "body_too_large") headers.connection = "close";
  // A request slot frees as soon as one of the caller's requests ends.
  const retryAfter = options.retryAfterSeconds ?? (known.code === "too_many_requests" ? 1 : undefined);
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  return { status: options.status ?? known.status, headers, body: errorBodyText(known, options) };
}

/** The error answer as a web Response. */
export function errorResponse(error: unknown, options: ErrorResponseOptions = {}): Response {
  const { status, headers, body } = errorParts(error, options);
  return new Response(body, { status, headers });
}
