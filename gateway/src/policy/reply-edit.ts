/**
 * Applies the policy to an upstream's reply, and only when the request needs it: list results
 * are rewritten (a JSON body, or the events of an SSE stream as they arrive), and the gateway's
 * own errors for refused requests of a batch join the answers of the upstream. Any other reply
 * (an upstream error, another content type) is relayed as it came.
 */
import { Readable } from "node:stream";
import type { JsonRpcErrorBody } from "@mcpbox/shared";
import { GatewayError } from "../errors";
import { mediaTypeOf } from "../media-type";
import type { UpstreamReply } from "../reply";
import { rewriteSseStream, sseEvent } from "./sse-rewrite";
import type { MessageRewriter } from "./sse-rewrite";

export interface ReplyEdit {
  /** Errors for the requests the gateway refused, answered alongside the upstream's answers. */
  readonly refusals: readonly JsonRpcErrorBody[];
  /** The client sent a batch: a JSON answer is an array. */
  readonly batch: boolean;
  /** Rewrites list results; absent when there is nothing to rewrite. */
  readonly rewriter?: MessageRewriter;
}

const JSON_HEADERS = { "content-type": "application/json" } as const;

/**
 * The body's chunks, and a way to stop the body while a read is pending: an async generator
 * waiting on its source only ends once that source is destroyed or cancelled.
 */
function sourceOf(body: NonNullable<UpstreamReply["body"]>): { chunks: AsyncIterable<Uint8Array>; cancel(): void } {
  if (body instanceof Readable) return { chunks: body, cancel: () => void body.destroy() };
  const reader = body.getReader();
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      },
    },
    cancel: () => void reader.cancel().catch(() => undefined),
  };
}

function chunksOf(body: NonNullable<UpstreamReply["body"]>): AsyncIterable<Uint8Array> {
  return sourceOf(body).chunks;
}

function jsonReply(status: number, headers: Record<string, string>, value: unknown): UpstreamReply {
  const text = JSON.stringify(value);
  const out: Record<string, string> = { ...headers, ...JSON_HEADERS, "content-length": String(Buffer.byteLength(text)) };
  delete out["content-encoding"];
  return { status, headers: out, body: Readable.from([Buffer.from(text)]) };
}

async function readAll(body: NonNullable<UpstreamReply["body"]>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunksOf(body)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function rewriteAll(value: unknown, rewriter: MessageRewriter | undefined): unknown {
  if (!rewriter) return value;
  const one = (message: unknown) => rewriter.rewrite(message) ?? message;
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** The gateway could not apply the policy to the upstream's answer: it fails closed. */
function unfilterable(reason: string): GatewayError {
  return new GatewayError(
    "upstream_failed",
    `Upstream error: the gateway could not apply the tool policy to the MCP server's answer (${reason})`,
  );
}

/** The reply with the policy applied. */
export async function editReply(reply: UpstreamReply, edit: ReplyEdit): Promise<UpstreamReply> {
  const { refusals, batch, rewriter } = edit;
  const ok = reply.status >= 200 && reply.status < 300;
  if (!ok) return reply;
  if (!reply.body || reply.status === 202) {
    // Everything relayed was a notification or response: the refusals are the whole answer.
    if (refusals.length === 0) return reply;
    if (reply.body) await readAll(reply.body);
    return jsonReply(200, reply.headers, batch ? refusals : refusals[0]);
  }
  const coding = reply.headers["content-encoding"]?.trim().toLowerCase();
  if (coding && coding !== "identity") {
    if (!rewriter) return reply;
    await readAll(reply.body);
    throw unfilterable(`a ${coding}-encoded body`);
  }
  const type = mediaTypeOf(reply.headers["content-type"]);
  if (type === "text/event-stream") {
    const headers = { ...reply.headers };
    delete headers["content-length"];
    const idle: MessageRewriter = { rewrite: () => undefined, finished: () => true };
    const source = sourceOf(reply.body);
    const body = Readable.from(rewriteSseStream(source.chunks, rewriter ?? idle, refusals.map(sseEvent)), { objectMode: false });
    // The client left: end the upstream stream now, not at its next event.
    body.once("close", source.cancel);
    return { status: reply.status, headers, body };
  }
  if (type === "application/json") {
    const text = await readAll(reply.body);
    let value: unknown;
    try {
      value = JSON.parse(text.toString("utf8"));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      if (rewriter) throw unfilterable("its JSON body does not parse");
      if (refusals.length > 0) return jsonReply(reply.status, reply.headers, refusals);
      return { ...reply, body: Readable.from([text]) };
    }
    const rewritten = rewriteAll(value, rewriter);
    if (refusals.length === 0) return jsonReply(reply.status, reply.headers, rewritten);
    return jsonReply(reply.status, reply.headers, [...(Array.isArray(rewritten) ? rewritten : [rewritten]), ...refusals]);
  }
  return reply;
}
