/**
 * Rewriting inside SSE streams and JSON answers: a list answer is filtered wherever the chunk
 * boundaries fall (inside a line break, inside a multi-byte character), other events such as
 * `notifications/tools/list_changed` pass byte for byte, and once the list was answered the rest
 * of the stream is not looked at. A JSON answer and a bodiless 202 get the batch's refusals.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { editReply } from "../src/policy/reply-edit";
import { eventData, rewriteSseStream } from "../src/policy/sse-rewrite";
import type { MessageRewriter } from "../src/policy/sse-rewrite";
import type { UpstreamReply } from "../src/reply";

const encoder = new TextEncoder();

/** Hides tools named "secret*" from the answer to id 7. */
function hideSecrets(): MessageRewriter & { seen: number } {
  let answered = false;
  const rewriter = {
    seen: 0,
    finished: () => answered,
    rewrite(message: unknown) {
      rewriter.seen++;
      const m = message as { id?: unknown; result?: { tools?: { name: string }[] } };
      if (m.id !== 7 || !m.result?.tools) return undefined;
      answered = true;
      return { ...m, result: { ...m.result, tools: m.result.tools.filter((t) => !t.name.startsWith("secret")) } };
    },
  };
  return rewriter;
}

async function collect(chunks: Uint8Array[], rewriter: MessageRewriter, prefix: Uint8Array[] = []): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const part of rewriteSseStream(Readable.from(chunks), rewriter, prefix)) out += decoder.decode(part, { stream: true });
  return out + decoder.decode();
}

/** Every way of cutting `bytes` in two, plus one byte at a time. */
function cuts(bytes: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [[...bytes].map((b) => Uint8Array.of(b))];
  for (let i = 1; i < bytes.length; i++) all.push([bytes.slice(0, i), bytes.slice(i)]);
  return all;
}

const LIST_CHANGED = 'event: message\r\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\r\n\r\n';
const ANSWER = 'event: message\nid: 42\ndata: {"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"ünïcode"},{"name":"secret-☃"}]}}\n\n';
const AFTER = 'data: {"jsonrpc":"2.0","method":"notifications/message","params":{"data":"secret-x"}}\n\n';

describe("SSE rewriting", () => {
  it("filters the list answer whatever the chunking, and passes the other events unchanged", async () => {
    const stream = encoder.encode(`: comment\n\n${LIST_CHANGED}${ANSWER}${AFTER}`);
    for (const chunks of cuts(stream)) {
      const out = await collect(chunks, hideSecrets());
      expect(out).toBe(
        `: comment\n\n${LIST_CHANGED}event: message\nid: 42\ndata: {"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"ünïcode"}]}}\n\n${AFTER}`,
      );
    }
  });

  it("stops looking once the list was answered", async () => {
    const rewriter = hideSecrets();
    await collect([encoder.encode(LIST_CHANGED + ANSWER), encoder.encode(AFTER.repeat(50))], rewriter);
    expect(rewriter.seen).toBe(2);
  });

  it("reads data spread over several lines, with and without the space, and CR line ends", async () => {
    expect(eventData('data:{"a":\ndata: 1}\n\n')).toBe('{"a":\n1}');
    expect(eventData("event: x\n\n")).toBeNull();
    const split = 'data: {"jsonrpc":"2.0","id":7,\rdata:"result":{"tools":[{"name":"secret"}]}}\r\r';
    expect(await collect([encoder.encode(split)], hideSecrets())).toBe('data: {"jsonrpc":"2.0","id":7,"result":{"tools":[]}}\n\n');
  });

  it("puts the refusals first, and filters an unfinished last event too", async () => {
    const refusal = encoder.encode('event: message\ndata: {"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"no"}}\n\n');
    const out = await collect([encoder.encode('data: {"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"secret"}]}}')], hideSecrets(), [
      refusal,
    ]);
    expect(out).toBe(
      'event: message\ndata: {"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"no"}}\n\ndata: {"jsonrpc":"2.0","id":7,"result":{"tools":[]}}\n\n',
    );
  });
});

async function text(reply: UpstreamReply): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of reply.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

const refusal = { jsonrpc: "2.0" as const, id: 2, error: { code: -32001, message: "refused" } };

describe("JSON answers", () => {
  it("filters a JSON batch answer and appends the refusals, with a correct length", async () => {
    const body = JSON.stringify([{ jsonrpc: "2.0", id: 7, result: { tools: [{ name: "a" }, { name: "secret" }] } }]);
    const reply = await editReply(
      {
        status: 200,
        headers: { "content-type": "application/json", "content-length": String(body.length), "mcp-session-id": "s1" },
        body: Readable.from([Buffer.from(body)]),
      },
      { refusals: [refusal], batch: true, rewriter: hideSecrets() },
    );
    const out = await text(reply);
    expect(JSON.parse(out)).toEqual([{ jsonrpc: "2.0", id: 7, result: { tools: [{ name: "a" }] } }, refusal]);
    expect(reply.headers["content-length"]).toBe(String(Buffer.byteLength(out)));
    expect(reply.headers["mcp-session-id"]).toBe("s1");
  });

  it("turns a 202 for the relayed notifications into the refusals", async () => {
    const reply = await editReply({ status: 202, headers: { "mcp-session-id": "s1" }, body: null }, { refusals: [refusal], batch: true });
    expect(reply.status).toBe(200);
    expect(JSON.parse(await text(reply))).toEqual([refusal]);
  });

  it("ends a quiet upstream stream as soon as the client leaves", async () => {
    const upstream = new Readable({ read() {} });
    const reply = await editReply(
      { status: 200, headers: { "content-type": "text/event-stream" }, body: upstream },
      { refusals: [], batch: false, rewriter: hideSecrets() },
    );
    const relayed = reply.body as Readable;
    const closed = new Promise<void>((resolve) => upstream.once("close", () => resolve()));
    relayed.resume();
    relayed.destroy();
    await closed;
    expect(upstream.destroyed).toBe(true);
  });

  it("relays an upstream error as it came", async () => {
    const original: UpstreamReply = { status: 404, headers: {}, body: Readable.from([Buffer.from("gone")]) };
    expect(await editReply(original, { refusals: [refusal], batch: true })).toBe(original);
  });

  it("fails closed on a list answer it cannot read", async () => {
    const reply: UpstreamReply = {
      status: 200,
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: Readable.from([Buffer.from([1, 2])]),
    };
    await expect(editReply(reply, { refusals: [], batch: false, rewriter: hideSecrets() })).rejects.toThrow(
      /could not apply the tool policy/,
    );
  });
});
