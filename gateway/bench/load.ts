/**
 * A lean closed-loop load generator for MCP over Streamable HTTP. Each client keeps one raw TCP
 * connection (HTTP/1.1 keep-alive), opens its own session (initialize + notifications/initialized)
 * and sends tools/call echo round trips back to back, timing each one. It speaks just enough
 * HTTP/1.1 (one write per request, Content-Length or chunked responses) to stay light: on a small
 * machine the load generator shares the CPU with the servers it measures.
 */
import { connect } from "node:net";
import type { Socket } from "node:net";

export interface Target {
  /** The /mcp URL. */
  url: string;
  /** Extra headers on every request (the Worker's service token and email for the gateway). */
  headers: Record<string, string>;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  latenciesMs: number[];
  elapsedMs: number;
  errors: number;
  /** What went wrong, and how often. */
  failures: Map<string, number>;
}

const PROTOCOL_VERSION = "2025-06-18";

function dial(url: URL): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/**
 * One keep-alive HTTP/1.1 connection that sends a request and reads one response at a time. Like
 * any HTTP client, it dials again when the server has closed the connection while it was idle;
 * a connection lost while a request is in flight fails that request.
 */
class Connection {
  /** True once the client closed it for good. */
  closed = false;
  private buffer = "";
  private waiting: { resolve: (r: RawResponse) => void; reject: (e: Error) => void } | undefined;
  private socket: Socket | undefined;

  private constructor(
    private readonly url: URL,
    socket: Socket,
  ) {
    this.attach(socket);
  }

  static async open(url: URL): Promise<Connection> {
    return new Connection(url, await dial(url));
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    this.buffer = "";
    socket.setNoDelay(true);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.tryParse();
    });
    const fail = (error?: Error) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(error ?? new Error("connection closed while a request was in flight"));
    };
    socket.on("error", fail);
    socket.on("close", () => {
      if (this.socket === socket) this.socket = undefined;
      fail();
    });
  }

  async request(head: string, body: string): Promise<RawResponse> {
    if (this.closed) throw new Error("connection closed by the client");
    if (!this.socket) this.attach(await dial(this.url));
    const socket = this.socket as Socket;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, "utf8");
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private tryParse(): void {
    const end = this.buffer.indexOf("\r\n\r\n");
    if (end === -1 || !this.waiting) return;
    const lines = this.buffer.slice(0, end).split("\r\n");
    const status = Number(lines[0]?.split(" ")[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    let rest = this.buffer.slice(end + 4);
    let body = "";
    if (headers["transfer-encoding"] === "chunked") {
      for (;;) {
        const lineEnd = rest.indexOf("\r\n");
        if (lineEnd === -1) return;
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (rest.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          rest = rest.slice(lineEnd + 4);
          break;
        }
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
      }
    } else {
      const length = Number(headers["content-length"] ?? 0);
      if (rest.length < length) return;
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    this.buffer = rest;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve({ status, headers, body });
  }
}

export interface Session {
  readonly connection: Connection;
  /** Request line and headers, up to (not including) content-length. */
  readonly head: string;
  nextId: number;
}

function renderHead(url: URL, headers: Record<string, string>): string {
  let head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return head;
}

const baseHeaders = (target: Target) => ({
  ...target.headers,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
});

/** Opens one MCP session at `target`. */
export async function openSession(target: Target): Promise<Session> {
  const url = new URL(target.url);
  const connection = await Connection.open(url);
  const init = await connection.request(
    renderHead(url, baseHeaders(target)),
    JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "mcpbox-bench", version: "1.0.0" } },
    }),
  );
  const sessionId = init.headers["mcp-session-id"];
  if (init.status !== 200 || !sessionId)
    throw new Error(`initialize failed at ${target.url}: HTTP ${init.status} ${init.body.slice(0, 200)}`);
  const head = renderHead(url, { ...baseHeaders(target), "mcp-session-id": sessionId, "mcp-protocol-version": PROTOCOL_VERSION });
  const initialized = await connection.request(head, '{"jsonrpc":"2.0","method":"notifications/initialized"}');
  if (initialized.status !== 202) throw new Error(`notifications/initialized failed: HTTP ${initialized.status}`);
  return { connection, head, nextId: 1 };
}

/** A client without a session (a stateless server, or a protocol revision 2026-07-28 client). */
export async function openSessionless(target: Target): Promise<Session> {
  const url = new URL(target.url);
  const connection = await Connection.open(url);
  return { connection, head: renderHead(url, { ...baseHeaders(target), "mcp-protocol-version": PROTOCOL_VERSION }), nextId: 1 };
}

/** Ends a session (DELETE) and its connection. */
export async function closeSession(session: Session): Promise<void> {
  if (session.head.includes("mcp-session-id:")) {
    await session.connection.request(session.head.replace(/^POST /, "DELETE "), "").catch(() => undefined);
  }
  session.connection.close();
}

/** One tools/call echo round trip in `session`: its latency in ms, or what went wrong. */
export async function callEcho(session: Session): Promise<number | string> {
  const id = session.nextId++;
  const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"message":"bench ${id}"}}}`;
  const t0 = performance.now();
  let res: RawResponse;
  try {
    res = await session.connection.request(session.head, body);
  } catch (error) {
    return (error as Error).message;
  }
  if (res.status === 200 && res.body.includes(`Echo: bench ${id}`)) return performance.now() - t0;
  return `HTTP ${res.status} ${res.body.slice(0, 160)}`;
}

/** Runs every session's loop of tools/call echo for `durationMs`; all clients run concurrently. */
export async function runLoad(sessions: Session[], durationMs: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const failures = new Map<string, number>();
  let errors = 0;
  const started = performance.now();
  const endAt = started + durationMs;
  await Promise.all(
    sessions.map(async (session) => {
      while (performance.now() < endAt && !session.connection.closed) {
        const outcome = await callEcho(session);
        if (typeof outcome === "number") latenciesMs.push(outcome);
        else {
          errors++;
          failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
        }
      }
    }),
  );
  return { latenciesMs, elapsedMs: performance.now() - started, errors, failures };
}
