/**
 * JSON-RPC 2.0 wire types and error bodies used when the Worker or the gateway answers an MCP
 * request itself (refusals, upstream failures). Messages are for people: say what failed.
 */

/** JSON-RPC error codes (JSON-RPC 2.0 §5.1, plus the implementation-defined server range). */
export const JSONRPC_ERROR = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Server-defined: the caller is not allowed to do this. */
  forbidden: -32001,
  /** Server-defined: the upstream MCP server could not be reached or failed. */
  upstreamUnavailable: -32002,
  /** Server-defined: the upstream MCP server did not answer in time. */
  upstreamTimeout: -32003,
  /** Server-defined: the request body is too large. */
  requestTooLarge: -32004,
  /** Server-defined: the MCP session is unknown, closed, or its server process ended. */
  sessionNotFound: -32005,
  /** Server-defined: the tool policy's rate limit was reached; retry after the `Retry-After` seconds. */
  rateLimited: -32006,
  /**
   * Server-defined: a per-user allowance of the gateway itself (sessions, requests in flight) was
   * reached; retry later. Distinct from `rateLimited`, which only a tool policy answers.
   */
  limitReached: -32007,
  /** MCP 2026-07-28 Streamable HTTP: Mcp-Method/Mcp-Name headers that do not match the body. */
  headerMismatch: -32020,
} as const;

export type JsonRpcId = string | number | null;

export interface JsonRpcErrorBody {
  jsonrpc: "2.0";
  id: JsonRpcId;
  error: { code: number; message: string };
}

/** Builds a JSON-RPC error response body. */
export function jsonRpcError(code: number, message: string, id: JsonRpcId = null): JsonRpcErrorBody {
  return { jsonrpc: "2.0", id, error: { code, message } };
}
