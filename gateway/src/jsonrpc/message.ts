/**
 * A POSTed MCP body, parsed once into typed JSON-RPC messages: the one value the gateway
 * authorizes, audits and relays. What goes upstream is this value re-serialized (`bytes`), so no
 * hop behind the gateway can read another message out of it. A body the parser found to be that
 * serialization already, byte for byte, is relayed as it came (see StrictJsonResult.canonical).
 * Later checks (tool policy, routing) read `messages`; none of them parses the body again.
 */
import type { JsonRpcId } from "@mcpbox/shared";
import { MESSAGE_MEMBERS, META_MEMBERS, PARAMS_MEMBERS } from "./member-names";
import type { MemberNames } from "./member-names";
import { isRawJson, parseStrictJson } from "./strict-json";
import type { JsonObject, JsonValue, StrictJsonFailure } from "./strict-json";

/** Most messages one batch may hold (JSON-RPC 2.0 §6; MCP 2025-06-18 dropped batches altogether). */
export const MAX_BATCH_MESSAGES = 100;

interface MessageBase {
  /** The message object exactly as parsed (and as relayed). */
  readonly message: JsonObject;
  /** `params`, when it is an object (MCP never sends positional params). */
  readonly params: JsonObject | undefined;
  /** `params.name` of a `tools/call`, else null. */
  readonly tool: string | null;
  /** What `Mcp-Name` mirrors: `params.name` of `tools/call`/`prompts/get`, `params.uri` of `resources/read`. */
  readonly target: string | null;
}

/** Has an id: the peer must answer it (JSON-RPC 2.0 §4). */
export interface JsonRpcRequest extends MessageBase {
  readonly kind: "request";
  readonly id: string | number;
  readonly method: string;
}

/** Has no id member at all (JSON-RPC 2.0 §4.1): whatever its method, only this is a notification. */
export interface JsonRpcNotification extends MessageBase {
  readonly kind: "notification";
  readonly id: null;
  readonly method: string;
}

/** A client's answer to a server request (sampling, elicitation, roots). */
export interface JsonRpcResponse extends MessageBase {
  readonly kind: "response";
  readonly id: JsonRpcId;
  readonly method: null;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** A parsed body: one message or a batch, and the bytes that represent it upstream. */
export class McpBody {
  constructor(
    /** The parsed JSON value (an object, or an array for a batch). */
    readonly value: JsonObject | JsonValue[],
    readonly messages: readonly JsonRpcMessage[],
    readonly batch: boolean,
    /** `JSON.stringify(value)` as UTF-8, when the caller has it already. */
    private serialized?: Uint8Array,
  ) {}

  /**
   * The value re-serialized as compact UTF-8 JSON: what an HTTP upstream receives. Buffer.from
   * takes a small body out of Node's shared 8 KiB pool; TextEncoder gave every call its own
   * ArrayBuffer, each a malloc, a free and a young-generation sweep (docs/decisions.md, 2026-11-27).
   */
  get bytes(): Uint8Array {
    this.serialized ??= Buffer.from(JSON.stringify(this.value));
    return this.serialized;
  }

  /** True when at least one message expects an answer. */
  get hasRequests(): boolean {
    return this.messages.some((m) => m.kind === "request");
  }
}

export type ParseResult = { ok: true; body: McpBody } | { ok: false; code: "parse_error" | "invalid_request"; message: string };

// ignoreBOM keeps a byte order mark in the text, where the parser refuses it (RFC 8259 §8.1).
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const MAX_QUOTED_CHARS = 64;

/** A client-supplied name as an error message shows it: JSON-quoted, cut after 64 characters. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > MAX_QUOTED_CHARS ? `${name.slice(0, MAX_QUOTED_CHARS)}…` : name);
}

const PARSE_FAILURES: Record<StrictJsonFailure, (detail: string) => string> = {
  syntax: (detail) => `Parse error: the request body is not valid JSON (${detail})`,
  duplicate_member: (name) => `Parse error: the request body repeats the member ${quoted(name)} in one object; send each member once`,
  too_deep: (detail) => `Parse error: the request body ${detail}`,
  number_range: () => "Parse error: the request body holds a number beyond the range of a double (RFC 7493 §2.2)",
  unpaired_surrogate: () =>
    "Parse error: the request body holds a \\u escape for half of a surrogate pair; JSON text must be valid Unicode (RFC 7493 §2.1)",
};

/** Parses and classifies a JSON-RPC body (JSON-RPC 2.0 §4–§6, I-JSON). Pure. */
export function parseMcpBody(bytes: Uint8Array): ParseResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, code: "parse_error", message: "Parse error: the request body is not valid UTF-8" };
  }
  if (text.charCodeAt(0) === 0xfeff) {
    return {
      ok: false,
      code: "parse_error",
      message: "Parse error: the request body starts with a byte order mark, which JSON sent over a network must not carry (RFC 8259 §8.1)",
    };
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok) return { ok: false, code: "parse_error", message: PARSE_FAILURES[parsed.reason](parsed.detail) };
  const value = parsed.value;
  const batch = Array.isArray(value);
  const items = batch ? value : [value];
  if (items.length === 0) return invalid("Invalid request: the body is an empty batch");
  if (items.length > MAX_BATCH_MESSAGES) {
    return invalid(
      `Invalid request: the body is a batch of ${items.length} messages; this gateway accepts at most ${MAX_BATCH_MESSAGES} per batch`,
    );
  }
  const messages: JsonRpcMessage[] = [];
  // Only a batch can repeat an id.
  const requestIds = batch ? new Set<string | number>() : undefined;
  for (const item of items) {
    const result = classify(item);
    if (typeof result === "string") {
      if (result.startsWith("Invalid request")) return invalid(result);
      const what = batch ? "a batch entry that is not a JSON-RPC 2.0 message" : "not a JSON-RPC 2.0 message";
      return invalid(`Invalid request: the body is ${what} (${result})`);
    }
    if (requestIds && result.kind === "request") {
      if (requestIds.has(result.id))
        return invalid(
          `Invalid request: two requests in the batch share the id ${JSON.stringify(result.id)}; give each request its own id`,
        );
      requestIds.add(result.id);
    }
    messages.push(result);
  }
  // A canonical text is its own re-serialization: the fatal decode took exactly these bytes to it.
  return { ok: true, body: new McpBody(value as JsonObject | JsonValue[], messages, batch, parsed.canonical ? bytes : undefined) };
}

function invalid(message: string): ParseResult {
  return { ok: false, code: "invalid_request", message };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isRawJson(value);
}

function variantError(object: JsonObject, names: MemberNames): string | undefined {
  const found = names.findVariant(object);
  return (
    found &&
    `Invalid request: the member ${quoted(found.variant)} is a case or Unicode variant of "${found.member}"; spell JSON-RPC and MCP members exactly`
  );
}

/** A typed message, or why the item is not one (a full message when it starts with "Invalid request"). */
function classify(item: JsonValue): JsonRpcMessage | string {
  if (!isObject(item)) return "it is not a JSON object";
  const variant = variantError(item, MESSAGE_MEMBERS);
  if (variant) return variant;
  if (item.jsonrpc !== "2.0") return 'its "jsonrpc" member is not "2.0"';
  const params = item.params;
  if (params !== undefined && (typeof params !== "object" || params === null || (!Array.isArray(params) && !isObject(params)))) {
    return 'its "params" member is neither an object nor an array';
  }
  const paramsObject = isObject(params) ? params : undefined;
  if (paramsObject) {
    const inParams = variantError(paramsObject, PARAMS_MEMBERS);
    if (inParams) return inParams;
    const meta = paramsObject._meta;
    if (isObject(meta)) {
      const inMeta = variantError(meta, META_MEMBERS);
      if (inMeta) return inMeta;
    }
  }
  const hasId = Object.hasOwn(item, "id");
  const id = item.id;
  if (typeof item.method === "string") {
    if (Object.hasOwn(item, "result") || Object.hasOwn(item, "error")) return 'it has a "method" and also a "result" or "error"';
    const method = item.method;
    const name = typeof paramsObject?.name === "string" ? paramsObject.name : null;
    const uri = typeof paramsObject?.uri === "string" ? paramsObject.uri : null;
    const target = method === "tools/call" || method === "prompts/get" ? name : method === "resources/read" ? uri : null;
    const tool = method === "tools/call" ? name : null;
    if (!hasId) return { kind: "notification", id: null, method, tool, target, message: item, params: paramsObject };
    // MCP (basic/index, Requests): the id is a string or an integer, never null.
    if (typeof id !== "string" && !(typeof id === "number" && Number.isFinite(id)))
      return "the id of a request must be a string or a number";
    return { kind: "request", id, method, tool, target, message: item, params: paramsObject };
  }
  if (Object.hasOwn(item, "method")) return 'its "method" member is not a string';
  if (!hasId) return 'it has neither a "method" nor an "id"';
  if (typeof id !== "string" && typeof id !== "number" && id !== null) return "the id of a response must be a string, a number or null";
  const hasResult = Object.hasOwn(item, "result");
  if (hasResult === Object.hasOwn(item, "error")) return 'a response must have exactly one of "result" and "error"';
  return { kind: "response", id, method: null, tool: null, target: null, message: item, params: paramsObject };
}
