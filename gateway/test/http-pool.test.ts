/**
 * The upstream pool against a raw TCP server that plays the keep-alive races an HTTP server can
 * put a relay in: a reused connection reset as the request arrives (the server had closed it),
 * the same reset on a fresh connection, a connection closed after the request was read, and the
 * idle timeout the server announces. Only a request that provably never reached the server's
 * application may be sent again; nothing may be processed twice.
 */
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ExchangeError, UpstreamPool } from "../src/upstream/http-pool";
import type { Answer, Exchange } from "../src/upstream/http-pool";

type Behaviour = "answer" | "reset" | "close-after-reading" | "hold" | "late" | "stream";

/** How long a "late" answer takes: within the timeout that the timeout tests give the pool. */
const LATE_MS = 100;
/** Events of a "stream" answer, one every LATE_MS: it outlasts the timeout of the timeout tests. */
const STREAM_CHUNKS = 6;

interface RawServer {
  url: URL;
  /** Requests the server's "application" read in full and acted on. */
  processed: number;
  /** Connections accepted, and the ones the client (not the server) ended. */
  connections: number;
  closedByClient: Promise<void>;
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/**
 * A server answering every request with `202`, `extraHeaders` and `keepAlive` as its Keep-Alive header (if any);
 * `plan(n, reused)` says what to do with the n-th request (counting from 1), and whether it came
 * on a connection that had carried one before.
 */
async function rawServer(
  plan: (n: number, reused: boolean) => Behaviour,
  keepAlive?: string,
  extraHeaders: readonly string[] = [],
): Promise<RawServer> {
  let requests = 0;
  let markClosed!: () => void;
  const state = { processed: 0, connections: 0, closedByClient: new Promise<void>((resolve) => (markClosed = resolve)) };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    let carried = 0;
    let buffer = "";
    socket.on("end", () => markClosed());
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      const head = buffer.indexOf("\r\n\r\n");
      if (head === -1) return;
      const length = Number(/content-length: *(\d+)/i.exec(buffer.slice(0, head))?.[1] ?? 0);
      if (buffer.length < head + 4 + length) return;
      buffer = buffer.slice(head + 4 + length);
      const behaviour = plan(++requests, carried > 0);
      carried++;
      if (behaviour === "reset") {
        // Refused unread, as a kernel does for bytes reaching a socket its server just closed.
        socket.resetAndDestroy();
        return;
      }
      state.processed++;
      if (behaviour === "close-after-reading") {
        socket.end();
        return;
      }
      // Read and never answered: only the client's timeout ends the wait.
      if (behaviour === "hold") return;
      if (behaviour === "stream") {
        // A head at once, then a body that takes STREAM_CHUNKS × LATE_MS to arrive.
        socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
        let sent = 0;
        const next = setInterval(() => {
          const event = `data: ${++sent}\n\n`;
          socket.write(`${event.length.toString(16)}\r\n${event}\r\n`);
          if (sent < STREAM_CHUNKS) return;
          clearInterval(next);
          socket.write("0\r\n\r\n");
        }, LATE_MS);
        return;
      }
      const extra = extraHeaders.map((line) => `${line}\r\n`).join("");
      const answer = () =>
        socket.write(`HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n${extra}${keepAlive ? `keep-alive: ${keepAlive}\r\n` : ""}\r\n`);
      if (behaviour === "late") setTimeout(answer, LATE_MS);
      else answer();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    get processed() {
      return state.processed;
    },
    get connections() {
      return state.connections;
    },
    closedByClient: state.closedByClient,
    close: async () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Runs `use` with a pool in front of `server`, then closes both, whatever happened. */
async function withPool(server: RawServer, use: (pool: UpstreamPool) => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const pool = new UpstreamPool(server.url, timeoutMs);
  try {
    await use(pool);
  } finally {
    await pool.close();
    await server.close();
  }
}

/** Lets the pool take the connection back after an answer, so the next request reuses it. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 50));

/** The pool's callback as a promise: the answer, or a rejection with the ExchangeError. */
const exchange = (pool: UpstreamPool, request: Exchange) =>
  new Promise<Answer>((resolve, reject) => pool.exchange(request, (error, answer) => (answer ? resolve(answer) : reject(error))));

/** A POST whose answer is read to its end, as the relay reads every answer (only then is its connection free). */
const post = async (pool: UpstreamPool): Promise<Answer> => {
  const answer = await exchange(pool, {
    method: "POST",
    fields: ["content-type", "application/json"],
    body: Buffer.from("{}"),
    onClientGone: () => undefined,
  });
  answer.body.resume();
  return answer;
};

async function failure(promise: Promise<unknown>): Promise<ExchangeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExchangeError);
  return error as ExchangeError;
}

describe("the upstream pool on a reused connection", () => {
  it("sends a request again when the server reset the reused connection without reading it", async () => {
    const server = await rawServer((n) => (n === 2 ? "reset" : "answer"));
    await withPool(server, async (pool) => {
      expect((await post(pool)).status).toBe(202);
      await settle();
      const second = await post(pool);
      expect(second.status).toBe(202);
      // The reset request was never read; the retry on a new connection was, once.
      expect(server.processed).toBe(2);
      expect(server.connections).toBe(2);
    });
  });

  it("does not send again after a reset on a fresh connection", async () => {
    const server = await rawServer(() => "reset");
    await withPool(server, async (pool) => {
      const error = await failure(post(pool));
      expect(error.code).toBe("ECONNRESET");
      expect(server.connections).toBe(1);
    });
  });

  it("does not send again when the server read the request and closed the connection", async () => {
    const server = await rawServer((n) => (n === 2 ? "close-after-reading" : "answer"));
    await withPool(server, async (pool) => {
      expect((await post(pool)).status).toBe(202);
      await settle();
      await failure(post(pool));
      // Processed once, never twice, and on the same connection: it was reused, not retried.
      expect(server.processed).toBe(2);
      expect(server.connections).toBe(1);
    });
  });
});

describe("the upstream pool's callback", () => {
  it("is called once, with the error, when Node refuses to write the request, and nothing is sent", async () => {
    const server = await rawServer(() => "answer");
    await withPool(server, async (pool) => {
      const calls: { error: ExchangeError | undefined; answer: Answer | undefined }[] = [];
      const gone: (() => void)[] = [];
      pool.exchange(
        {
          method: "POST",
          fields: ["x-split", "a\r\nx-smuggled: 1"],
          body: Buffer.from("{}"),
          onClientGone: (listener) => gone.push(listener),
        },
        (error, answer) => calls.push({ error, answer }),
      );
      expect(calls).toHaveLength(1);
      expect(calls[0]?.error).toBeInstanceOf(ExchangeError);
      expect(calls[0]?.error?.code).toBe("ERR_INVALID_CHAR");
      expect(calls[0]?.answer).toBeUndefined();
      // The client leaving afterwards does not call back a second time.
      for (const listener of gone) listener();
      await settle();
      expect(calls).toHaveLength(1);
      expect(server.connections).toBe(0);
      expect(server.processed).toBe(0);
      // The pool still serves the next request.
      expect((await post(pool)).status).toBe(202);
    });
  });

  it("is called once with CLIENT_GONE when the client leaves before the answer, and not again when it comes", async () => {
    const server = await rawServer(() => "stream");
    await withPool(server, async (pool) => {
      const calls: (ExchangeError | undefined)[] = [];
      let leave = () => {};
      pool.exchange({ method: "POST", fields: [], body: Buffer.from("{}"), onClientGone: (listener) => (leave = listener) }, (error) =>
        calls.push(error),
      );
      leave();
      expect(calls.map((error) => error?.code)).toEqual(["CLIENT_GONE"]);
      await settle();
      expect(calls).toHaveLength(1);
    });
  });
});

describe("the upstream pool's idle connections", () => {
  it("closes an idle connection itself before the server's announced keep-alive timeout", async () => {
    // The server never closes; it announces 3 s, so the pool must give up the connection first.
    const server = await rawServer(() => "answer", "timeout=3");
    await withPool(server, async (pool) => {
      expect((await post(pool)).status).toBe(202);
      await server.closedByClient;
      expect(server.connections).toBe(1);
    });
  });

  it("closes an idle connection after its own default when the server announces nothing", async () => {
    const server = await rawServer(() => "answer");
    await withPool(server, async (pool) => {
      expect((await post(pool)).status).toBe(202);
      await server.closedByClient;
    });
  });
});

describe("the upstream pool under a burst", () => {
  it("keeps every connection a burst opened for the next burst (no cap of 256 idle ones, no reconnect storm)", async () => {
    const server = await rawServer(() => "answer", "timeout=30");
    const burst = 300;
    await withPool(server, async (pool) => {
      // Each request holds its connection until its answer is read, so a burst opens one per request.
      const first = await Promise.all(Array.from({ length: burst }, () => post(pool)));
      expect(first.every((answer) => answer.status === 202)).toBe(true);
      expect(server.connections).toBe(burst);
      await settle();
      await Promise.all(Array.from({ length: burst }, () => post(pool)));
      expect(server.processed).toBe(2 * burst);
      expect(server.connections).toBe(burst);
    });
  });
});

describe("the upstream pool's answer headers", () => {
  it("relays only the listed headers, and drops one the upstream sent twice (which value would be the real one?)", async () => {
    const server = await rawServer(() => "answer", undefined, [
      "mcp-session-id: first",
      "mcp-session-id: second",
      "cache-control: no-store",
      "set-cookie: session=1",
    ]);
    await withPool(server, async (pool) => {
      const answer = await post(pool);
      expect(answer.headers).toEqual({ "content-length": "0", "cache-control": "no-store" });
    });
  });
});

describe("the upstream pool's answer timeout", () => {
  it("cuts each of many exchanges waiting at once, none before its time, and keeps one answered in time", async () => {
    const timeoutMs = 300;
    // Requests 1-20 wait forever, 21 is answered within the timeout, and so is every later one.
    const server = await rawServer((n) => (n <= 20 ? "hold" : n === 21 ? "late" : "answer"));
    await withPool(
      server,
      async (pool) => {
        const started = performance.now();
        const waiting = Array.from({ length: 20 }, () => failure(post(pool)));
        // Sent once the 20 are on the wire, so the server counts it 21st.
        while (server.processed < 20) await new Promise((resolve) => setTimeout(resolve, 5));
        const late = post(pool);
        const errors = await Promise.all(waiting);
        const elapsed = performance.now() - started;
        expect(errors.map((e) => e.code)).toEqual(Array(20).fill("HEADERS_TIMEOUT"));
        // A timeout is never early; it may come up to one look of the sweep late.
        expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
        expect((await late).status).toBe(202);
        // The pool still serves: the cut connections are gone, a new one answers.
        expect((await post(pool)).status).toBe(202);
        expect(server.processed).toBe(22);
      },
      timeoutMs,
    );
  });

  it("never cuts an exchange once its answer began, however long the answer streams, a retried one included", async () => {
    const timeoutMs = 300;
    // The reused connection is reset unread, so the request goes again; the retry's answer streams
    // for twice the timeout.
    const server = await rawServer((n, reused) => (n === 2 && reused ? "reset" : n === 3 ? "stream" : "answer"));
    await withPool(
      server,
      async (pool) => {
        expect((await post(pool)).status).toBe(202);
        await settle();
        const answer = await exchange(pool, { method: "POST", fields: [], body: Buffer.from("{}"), onClientGone: () => undefined });
        let text = "";
        for await (const chunk of answer.body) text += String(chunk);
        expect(text).toBe(Array.from({ length: STREAM_CHUNKS }, (_, i) => `data: ${i + 1}\n\n`).join(""));
        expect(server.processed).toBe(2);
        expect((await post(pool)).status).toBe(202);
      },
      timeoutMs,
    );
  });
});
