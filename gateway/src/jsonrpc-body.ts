/**
 * Parses a POSTed MCP body once: a JSON-RPC 2.0 message or a batch of them. Authorization and the
 * audit log read what this returns; the bytes themselves are relayed unchanged.
 */
import type { JsonRpcId } from "@mcpbox/shared";

/** What the gateway needs to know about one message (never its arguments). */
export interface MessageInfo {
  readonly kind: "request" | "notification" | "response";
  readonly method: string | null;
  readonly id: JsonRpcId;
  /** `params.name` of a `tools/call` request. */
  readonly tool: string | null;
}

export interface ParsedBody {
  /** The parsed JSON value, handed to transports that want it parsed. */
  readonly value: unknown;
  readonly messages: readonly MessageInfo[];
  readonly batch: boolean;
}

export type ParseResult = { ok: true; body: ParsedBody } | { ok: false; code: "parse_error" | "invalid_request"; message: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses and classifies a JSON-RPC body (JSON-RPC 2.0 §4–§6). Pure. */
export function parseJsonRpcBody(bytes: Uint8Array): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, code: "parse_error", message: "Parse error: the request body is not valid UTF-8 JSON" };
  }
  const batch = Array.isArray(value);
  const items: unknown[] = batch ? (value as unknown[]) : [value];
  if (items.length === 0) return invalid("an empty batch");
  const messages: MessageInfo[] = [];
  for (const item of items) {
    const info = classify(item);
    if (!info) return invalid(batch ? "a batch entry that is not a JSON-RPC 2.0 message" : "not a JSON-RPC 2.0 message");
    messages.push(info);
  }
  return { ok: true, body: { value, messages, batch } };
}

function invalid(what: string): ParseResult {
  return { ok: false, code: "invalid_request", message: `Invalid request: the body is ${what}` };
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) || value === null;
}

function classify(item: unknown): MessageInfo | null {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return null;
  const msg = item as Record<string, unknown>;
  if (msg.jsonrpc !== "2.0") return null;
  const hasId = "id" in msg;
  if (hasId && !isId(msg.id)) return null;
  const id = hasId ? (msg.id as JsonRpcId) : null;
  if (typeof msg.method === "string") {
    if (msg.params !== undefined && (typeof msg.params !== "object" || msg.params === null)) return null;
    let tool: string | null = null;
    if (msg.method === "tools/call") {
      const name = (msg.params as Record<string, unknown> | undefined)?.name;
      tool = typeof name === "string" ? name : null;
    }
    return { kind: hasId ? "request" : "notification", method: msg.method, id, tool };
  }
  if (hasId && ("result" in msg || "error" in msg)) return { kind: "response", method: null, id, tool: null };
  return null;
}
