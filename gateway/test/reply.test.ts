/**
 * The relay of an upstream body into Node's response (reply.ts): the client gets every byte, and
 * once the relay is over the body and the response hold no listeners on each other, whether the
 * body ended or the client left. A listener left behind kept every exchange alive through the
 * young generation of the garbage collector (docs/decisions.md, 2026-11-27).
 */
import { createServer, request } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { sendReply } from "../src/reply";

interface Relayed {
  body: PassThrough;
  outgoing: ServerResponse;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A server relaying a fresh PassThrough per request with sendReply; `relayed` resolves with both ends. */
async function relayServer(contentType: string): Promise<{ url: string; relayed: Promise<Relayed> }> {
  let handOver!: (r: Relayed) => void;
  const relayed = new Promise<Relayed>((resolve) => (handOver = resolve));
  const server = createServer((_incoming, outgoing) => {
    const body = new PassThrough();
    sendReply({ status: 200, headers: { "content-type": contentType }, body }, outgoing, 25_000);
    handOver({ body, outgoing });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, relayed };
}

const listeners = ({ body, outgoing }: Relayed) => ({
  data: body.listenerCount("data"),
  end: body.listenerCount("end"),
  error: body.listenerCount("error"),
  drain: outgoing.listenerCount("drain"),
});

describe("relaying a Node body into the response", () => {
  it("delivers every chunk, then leaves no listener between the body and the response", async () => {
    const { url, relayed } = await relayServer("text/event-stream");
    const response = fetch(url);
    const ends = await relayed;
    expect(listeners(ends).data).toBe(1);
    ends.body.write("event: message\ndata: one\n\n");
    ends.body.end("event: message\ndata: two\n\n");
    const text = await (await response).text();
    expect(text).toBe("event: message\ndata: one\n\nevent: message\ndata: two\n\n");
    expect(listeners(ends)).toEqual({ data: 0, end: 0, error: 0, drain: 0 });
  });

  it("abandons a body still streaming when the client leaves, detaches, and survives the body's later error", async () => {
    const { url, relayed } = await relayServer("text/event-stream");
    const client = request(url);
    client.end();
    const answer = await new Promise<IncomingMessage>((resolve) => client.once("response", resolve));
    const ends = await relayed;
    ends.body.write("event: message\ndata: one\n\n");
    await new Promise((resolve) => answer.once("data", resolve));
    const closed = new Promise<void>((resolve) => ends.outgoing.once("close", () => resolve()));
    client.destroy();
    await closed;
    expect(ends.body.destroyed).toBe(true);
    expect(listeners(ends)).toMatchObject({ data: 0, end: 0, drain: 0 });
    // An error from the abandoned body must not become an uncaught exception.
    expect(() => ends.body.emit("error", new Error("late upstream failure"))).not.toThrow();
  });
});
