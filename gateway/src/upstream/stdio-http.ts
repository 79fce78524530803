/**
 * The server side of MCP Streamable HTTP for a stdio session, as the MCP SDK's transport answers
 * it (same statuses, JSON-RPC codes and messages), on messages the gateway has already parsed and
 * checked: POST needs an Accept of both JSON and SSE, GET of SSE; a session is initialized once,
 * by a lone initialize; later requests must carry a supported `MCP-Protocol-Version`; one GET
 * stream per session. The SDK's per-message schema validation is replaced by the few shape rules
 * it enforces beyond the gateway's own JSON-RPC checks (message.ts).
 */
import { Readable } from "node:stream";
import { MCP_HEADERS } from "@mcpbox/shared";
import type { McpHttpMethod } from "@mcpbox/shared";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import type { JsonRpcMessage, McpBody } from "../jsonrpc/message";
import { isRawJson } from "../jsonrpc/strict-json";
import type { JsonValue } from "../jsonrpc/strict-json";
import type { UpstreamReply } from "../reply";

/** What the session reads of a request that passed the gateway's checks. */
export interface HttpFacts {
  readonly method: McpHttpMethod;
  header(name: string): string | undefined;
  readonly body?: McpBody;
}

/** The session's side of the exchange. */
export interface SessionState {
  readonly closed: boolean;
  readonly stateless: boolean;
  readonly initialized: boolean;
  readonly sessionId: string | undefined;
  /** A GET stream is open. */
  readonly streaming: boolean;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
const VERSION_HEADER = MCP_HEADERS.protocolVersion.toLowerCase();
const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_PROTOCOL_VERSIONS);

/** A JSON-RPC error answered by the transport itself (`id` null), as the SDK words it. */
export function transportError(status: number, code: number, message: string): UpstreamReply {
  const text = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  return { status, headers: { "content-type": "application/json" }, body: Readable.from([Buffer.from(text)]) };
}

const NOT_FOUND = () => transportError(404, -32001, "Session not found");

function checkSession(request: HttpFacts, state: SessionState): UpstreamReply | undefined {
  if (state.stateless) return undefined;
  if (!state.initialized) return transportError(400, -32000, "Bad Request: Server not initialized");
  const id = request.header(SESSION_HEADER);
  if (!id) return transportError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
  return id === state.sessionId ? undefined : NOT_FOUND();
}

function checkVersion(request: HttpFacts, state: SessionState): UpstreamReply | undefined {
  // Without sessions (protocol revision 2026-07-28 clients) the child decides which versions it speaks.
  if (state.stateless) return undefined;
  const version = request.header(VERSION_HEADER);
  if (version === undefined || SUPPORTED.has(version)) return undefined;
  return transportError(
    400,
    -32000,
    `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`,
  );
}

/** The checks that come before a request is looked at: Accept, session, protocol version, GET stream. */
export function preflight(request: HttpFacts, state: SessionState): UpstreamReply | undefined {
  if (state.closed) return NOT_FOUND();
  const accept = request.header("accept") ?? "";
  if (request.method === "POST") {
    if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
      return transportError(406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
    }
    return undefined;
  }
  if (request.method === "GET" && !accept.includes("text/event-stream"))
    return transportError(406, -32000, "Not Acceptable: Client must accept text/event-stream");
  const refused = checkSession(request, state) ?? checkVersion(request, state);
  if (refused) return refused;
  if (request.method === "GET" && state.streaming)
    return transportError(409, -32000, "Conflict: Only one SSE stream is allowed per session");
  return undefined;
}

const isObject = (value: JsonValue | undefined): boolean =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !isRawJson(value);
const isString = (value: JsonValue | undefined): boolean => typeof value === "string";

/** The MCP schema's rules beyond JSON-RPC: params an object, integer ids, result an object, a well-formed error. */
function wellFormed(message: JsonRpcMessage): boolean {
  const m = message.message;
  if (typeof m.id === "number" && !Number.isInteger(m.id)) return false;
  if (message.kind !== "response") return m.params === undefined || isObject(m.params);
  if (m.result !== undefined) return isObject(m.result);
  const error = m.error as { code?: JsonValue; message?: JsonValue } | undefined;
  return isObject(m.error) && Number.isInteger(error?.code) && isString(error?.message);
}

/** An initialize request as the SDK recognizes one (its params name a version, capabilities and the client). */
function isInitialize(message: JsonRpcMessage): boolean {
  if (message.kind !== "request" || message.method !== "initialize" || !message.params) return false;
  const { protocolVersion, capabilities, clientInfo } = message.params;
  const info = clientInfo as { name?: JsonValue; version?: JsonValue } | undefined;
  return isString(protocolVersion) && isObject(capabilities) && isObject(clientInfo) && isString(info?.name) && isString(info?.version);
}

export interface PostAnswer {
  /** The transport's own error answer, when the POST is refused. */
  refused?: UpstreamReply;
  /** The POST initializes the session. */
  initialize: boolean;
  /** At least one message expects an answer (an SSE stream is opened). */
  hasRequests: boolean;
}

/** What a POST's messages mean to the session, or why it refuses them. */
export function answerPost(messages: readonly JsonRpcMessage[], request: HttpFacts, state: SessionState): PostAnswer {
  const hasRequests = messages.some((m) => m.kind === "request");
  if (!messages.every(wellFormed))
    return { refused: transportError(400, -32700, "Parse error: Invalid JSON-RPC message"), initialize: false, hasRequests };
  const initialize = messages.some(isInitialize);
  if (initialize) {
    if (state.initialized && state.sessionId !== undefined)
      return { refused: transportError(400, -32600, "Invalid Request: Server already initialized"), initialize, hasRequests };
    if (messages.length > 1)
      return {
        refused: transportError(400, -32600, "Invalid Request: Only one initialization request is allowed"),
        initialize,
        hasRequests,
      };
    return { initialize, hasRequests };
  }
  const refused = checkSession(request, state) ?? checkVersion(request, state);
  return refused ? { refused, initialize, hasRequests } : { initialize, hasRequests };
}
