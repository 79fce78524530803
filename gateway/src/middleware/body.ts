/**
 * Reads and parses a POST body once, bounded by `GATEWAY_MAX_BODY_BYTES` counted on the bytes
 * actually received (a declared Content-Length is only an early exit; chunked bodies are counted
 * as they stream), so an oversized body never reaches the upstream or the JSON parser. The body
 * must be declared as JSON in UTF-8: a hop that honoured another charset would read other text.
 */
import type { IncomingMessage } from "node:http";
import type { AuditRecord } from "../audit";
import { GatewayError } from "../errors";
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";
import { parseMcpBody } from "../jsonrpc/message";
import type { McpBody } from "../jsonrpc/message";

export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" };

const TOO_LARGE: BodyResult = { ok: false, reason: "too_large" };
const EMPTY = new Uint8Array(0);

// RFC 8259 §11 and MCP Streamable HTTP: application/json, UTF-8 (the only charset JSON may use).
const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*)?$/i;

/** True for a Content-Type of JSON in UTF-8 (a charset parameter, if any, must say so). Pure. */
export function isJsonContentType(value: string | undefined | null): boolean {
  return typeof value === "string" && JSON_CONTENT_TYPE.test(value);
}

function declaredLength(value: string | undefined | null): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * A Node request body already received in full, taken at once: a small request's head and body
 * usually arrive together, and Node has parsed the body into the request's buffer by the time a
 * microtask after the "request" event runs. That microtask can run after Node's parser handed
 * over the body's bytes and before it marked the message complete (in the benchmark it always
 * did: every body was in the buffer with `complete` still false), so a body whose declared
 * Content-Length is all in the buffer counts as complete too: the framing says it is, and the
 * parser passes no byte beyond it. Undefined while any of it is still to come.
 */
export function takeCompleteBody(incoming: IncomingMessage, maxBytes: number): BodyResult | undefined {
  if (incoming.readableFlowing) return undefined;
  if (!incoming.complete && incoming.readableLength !== declaredLength(incoming.headers["content-length"])) return undefined;
  if (incoming.readableLength > maxBytes) return TOO_LARGE;
  // Taken before the message's end, the request then never emits "end" (nothing waits for it:
  // the response's "close" ends the exchange); ending it would cost 4.6k instructions per call.
  const bytes = incoming.read() as Buffer | null;
  return { ok: true, bytes: bytes ?? EMPTY };
}

/**
 * Reads a Node request body up to `maxBytes`. On overflow it stops reading and leaves the rest
 * unread (the connection is then closed after the 413).
 */
export function readNodeBody(incoming: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if ((declaredLength(incoming.headers["content-length"]) ?? 0) > maxBytes) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onFail);
      incoming.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        incoming.pause();
        resolve(TOO_LARGE);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    };
    const onFail = (error?: Error) => {
      cleanup();
      reject(new GatewayError("invalid_request", "Invalid request: the request body was cut off", { cause: error }));
    };
    const onClose = () => (incoming.readableEnded ? onEnd() : onFail());
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onFail);
    incoming.on("close", onClose);
  });
}

/** Reads a web stream body up to `maxBytes` (used when the app runs without Node bindings). */
export async function readWebBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if ((declaredLength(request.headers.get("content-length")) ?? 0) > maxBytes) return TOO_LARGE;
  if (!request.body) return { ok: true, bytes: EMPTY };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}

const UNSUPPORTED_MEDIA_TYPE = refusal(
  "unsupported_media_type",
  "Unsupported media type: send the JSON-RPC body with Content-Type: application/json (UTF-8)",
);

/** The 415 refusal for a POST whose Content-Type is not JSON in UTF-8, else undefined. */
export function checkMcpContentType(contentType: string | undefined): Refusal | undefined {
  return isJsonContentType(contentType) ? undefined : UNSUPPORTED_MEDIA_TYPE;
}

/**
 * A POST's body, read bounded, parsed once into JSON-RPC messages, with its size, method(s) and
 * tool(s) noted in the audit record; or the refusal (413, 400). Synchronous: the caller awaits
 * the read itself (one promise fewer per request than an async wrapper around it).
 */
export function mcpBodyOf(result: BodyResult, maxBytes: number, audit: AuditRecord | undefined): McpBody | Refusal {
  if (!result.ok)
    return refusal("body_too_large", `Request body too large: this gateway accepts at most ${maxBytes} bytes (GATEWAY_MAX_BODY_BYTES)`);
  if (audit) audit.bytesIn = result.bytes.byteLength;
  const parsed = parseMcpBody(result.bytes);
  if (!parsed.ok) return refusal(parsed.code, parsed.message);
  const { messages } = parsed.body;
  if (audit) {
    const first = messages[0];
    if (messages.length === 1 && first) {
      audit.method = first.method;
      audit.tool = first.tool;
    } else {
      audit.method = messages.map((m) => m.method ?? "response").join(",");
      const tools = messages.filter((m) => m.tool !== null).map((m) => m.tool);
      audit.tool = tools.length > 0 ? tools.join(",") : null;
    }
  }
  return parsed.body;
}
