/**
 * An upstream's answer as the gateway relays it, and the one place it is written to the client.
 * On Node the body is piped straight into the ServerResponse: headers leave with the first chunk
 * when it follows at once, chunks that arrive together leave in one write, and nothing is
 * buffered beyond what the socket asks for, so SSE events reach the client as they are written.
 * A quiet SSE stream gets keepalive comments between its events (see sse-keepalive.ts).
 */
import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { SseKeepalive, acceptsKeepalive, withKeepalive } from "./sse-keepalive";

export interface UpstreamReply {
  status: number;
  headers: Record<string, string>;
  /** A Node stream (the HTTP relay's response, a stdio session's events), a web stream, or nothing. */
  body: Readable | ReadableStream<Uint8Array> | null;
}

/**
 * A web Response for runtimes without Node bindings. An SSE body gets a keepalive comment after
 * `keepaliveMs` without a byte (0: never).
 */
export function replyToResponse(reply: UpstreamReply, keepaliveMs: number): Response {
  let body = reply.body instanceof Readable ? (Readable.toWeb(reply.body) as ReadableStream<Uint8Array>) : reply.body;
  if (body && keepaliveMs > 0 && acceptsKeepalive(reply.headers)) body = withKeepalive(body, keepaliveMs);
  return new Response(body, { status: reply.status, headers: reply.headers });
}

/** If no body chunk follows the headers within this time, the headers are sent alone. */
const HEADER_FLUSH_MS = 20;

/**
 * Writes `reply` to `outgoing` and keeps streaming until the body ends or the client leaves. An
 * SSE body gets a keepalive comment after `keepaliveMs` without a byte written (0: never).
 */
export function sendReply(reply: UpstreamReply, outgoing: ServerResponse, keepaliveMs: number): void {
  outgoing.writeHead(reply.status, reply.headers);
  const body = reply.body;
  if (!body) {
    outgoing.end();
    return;
  }
  // Already whole (the upstream's answer arrived in one read): the relay ends as soon as the
  // client reads, so nothing can go quiet and no keepalive timer is needed. Already buffered:
  // the first chunk leaves with the headers at once, so no flush timer either.
  const readable = body instanceof Readable;
  const complete = readable && (body as Readable & { complete?: boolean }).complete === true;
  const buffered = readable && body.readableLength > 0;
  let wrote = false;
  // Cork the socket, not the ServerResponse: Node's response-level cork can put end()'s final
  // chunk ahead of a corked data chunk.
  const socket = outgoing.socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket?.uncork();
  };
  // Headers wait briefly for the first chunk (one write instead of two), never indefinitely:
  // a stream that stays quiet still shows the client its headers.
  const flushTimer = buffered
    ? undefined
    : setTimeout(() => {
        if (!wrote && !outgoing.destroyed) outgoing.flushHeaders();
      }, HEADER_FLUSH_MS);
  const sse = keepaliveMs > 0 && !complete && acceptsKeepalive(reply.headers);
  const write = (chunk: Uint8Array): boolean => {
    if (!wrote) {
      wrote = true;
      clearTimeout(flushTimer);
    }
    if (!corked && socket) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return outgoing.write(chunk);
  };
  const keepalive = sse
    ? new SseKeepalive(keepaliveMs, (comment) => {
        if (outgoing.writableEnded || outgoing.destroyed) {
          // The client left before the relay began (no "close" will come): end here.
          stop();
          return false;
        }
        // Bytes still queued for the socket are not idleness: the client is just slow to read.
        if (outgoing.writableNeedDrain) return false;
        write(comment);
        return true;
      })
    : undefined;
  const relay = (chunk: Uint8Array): boolean => {
    const bytes = keepalive ? keepalive.relay(chunk) : chunk;
    return bytes.length === 0 || write(bytes);
  };
  const stop = () => {
    clearTimeout(flushTimer);
    keepalive?.stop();
  };
  const finish = () => {
    stop();
    outgoing.end();
  };
  const fail = () => {
    stop();
    outgoing.destroy();
  };

  if (body instanceof Readable) {
    const onData = (chunk: Buffer) => {
      if (!relay(chunk)) body.pause();
    };
    const onDrain = () => body.resume();
    // Once the relay is over, the body and the response let go of each other. A listener left
    // behind links one exchange's objects to the next ones the garbage collector sees, so that
    // every exchange survived the young generation (measured: 2 MB copied and promoted per minor
    // GC instead of 9 KB, docs/decisions.md 2026-11-27).
    const detach = () => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
      outgoing.off("drain", onDrain);
      outgoing.off("close", onClose);
    };
    const onEnd = () => {
      detach();
      finish();
    };
    const onError = () => {
      detach();
      fail();
    };
    const onClose = () => {
      detach();
      stop();
      // A body still streaming is abandoned; its errors from now on have no one to tell.
      if (!body.readableEnded) body.once("error", () => undefined).destroy();
    };
    // `on` for all: detach() removes each once the relay is over, whichever way it ends.
    body.on("data", onData);
    outgoing.on("drain", onDrain);
    body.on("end", onEnd);
    body.on("error", onError);
    outgoing.on("close", onClose);
    return;
  }

  const reader = body.getReader();
  outgoing.once("close", () => {
    stop();
    reader.cancel().catch(() => undefined);
  });
  const pump = async (): Promise<void> => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return finish();
      if (!relay(value)) await new Promise<void>((resolve) => outgoing.once("drain", resolve));
    }
  };
  pump().catch(fail);
}
