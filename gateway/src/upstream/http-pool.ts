/**
 * HTTP exchanges with a Streamable HTTP upstream over a pool of keep-alive connections: Node's own
 * HTTP client and `http.Agent` (its parser is native; the answer's body is the IncomingMessage,
 * a plain Node stream paused while the client does not read). Two rules keep a reused connection
 * from failing a request:
 *
 * - An idle connection is closed by the gateway before the upstream would close it: after the
 *   upstream's own `Keep-Alive: timeout=` hint less a margin (RFC 9112 §9.3 lets either side close
 *   an idle connection at any time; the hint says when the server will), and after a short
 *   default when it sends none (Node's HTTP server closes after 5 s but announces it only on
 *   responses whose `Connection` header it set itself, not on SSE answers).
 * - A request written on a reused connection that the upstream had already closed fails with a
 *   reset (ECONNRESET or EPIPE from the socket) before any byte of an answer: the upstream's kernel
 *   refused bytes its application never read, so the request was not processed and is sent again
 *   on another connection. A connection closed without a reset (a FIN: "socket hang up"), any
 *   failure on a fresh connection, and any failure after an answer began are not retried: there
 *   the request may have been processed.
 */
import { Agent, request } from "node:http";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { MCP_HEADERS } from "@mcpbox/shared";
import type { McpHttpMethod } from "@mcpbox/shared";
import { Sweep, sweepPeriodFor } from "../sweep";
import type { Swept } from "../sweep";

/** Idle time after which a pooled connection is closed when the upstream announced no timeout. */
const DEFAULT_IDLE_MS = 3_000;
/** Subtracted from the upstream's `Keep-Alive: timeout=` hint (event-loop delay, transit). */
const IDLE_MARGIN_MS = 2_000;
// How often idle connections are looked at: a connection is closed at most this late.
const SWEEP_MS = 250;
// Stale connections one request may meet in a row before it gives up (each is then closed).
const MAX_RETRIES = 8;

/** Response headers relayed to the client; the body is relayed byte for byte, so its framing too. */
const RELAYED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "cache-control",
  MCP_HEADERS.sessionId.toLowerCase(),
  MCP_HEADERS.protocolVersion.toLowerCase(),
  "allow",
  "retry-after",
]);

export interface Exchange {
  readonly method: McpHttpMethod;
  /** Request fields as a flat `[name, value, name, value, …]` list; the pool adds Host and the body's length. */
  readonly fields: readonly string[];
  readonly body?: Uint8Array;
  /** Calls `listener` if the client goes away: the exchange is then abandoned. */
  onClientGone(listener: () => void): void;
}

/**
 * The upstream's answer: its status, the relayed headers, and its body as it streams in
 * (`complete` once the whole body is in). The body must be read to its end or destroyed: only
 * then is its connection free for the next exchange (destroying an unfinished one drops it).
 */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: IncomingMessage;
}

/** Told once how an exchange ended: an error, or the answer once its head is in. */
export type AnswerCallback = (error: ExchangeError | undefined, answer?: Answer) => void;

/** Why an exchange failed: a short code for logs and errors (e.g. ECONNREFUSED, HEADERS_TIMEOUT). */
export class ExchangeError extends Error {
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`upstream exchange failed (${code})`, options);
    this.name = "ExchangeError";
  }
}

/** The code of an exchange that got no answer head in time: still connecting, or waiting for the head. */
export const TIMEOUT_CODES = { connect: "CONNECT_TIMEOUT", headers: "HEADERS_TIMEOUT" } as const;

/** True when a request that failed before any answer provably never reached the upstream's application (see above). */
function neverProcessed(error: NodeJS.ErrnoException, reused: boolean): boolean {
  if (!reused) return false;
  return (error.code === "ECONNRESET" && error.syscall !== undefined) || error.code === "EPIPE";
}

// Per connection: how long it may idle after its last answer (from that answer's hint), and
// until when it may idle now that it is back in the pool.
const IDLE_FOR = Symbol("idleFor");
const IDLE_UNTIL = Symbol("idleUntil");
type PooledSocket = Socket & { [IDLE_FOR]?: number; [IDLE_UNTIL]?: number };

/** How long a connection may idle after an answer whose `Keep-Alive` header is `hint`. */
function idleAllowance(hint: string | undefined): number {
  const seconds = hint === undefined ? undefined : /(?:^|[\s,])timeout\s*=\s*(\d+)/i.exec(hint)?.[1];
  return seconds === undefined ? DEFAULT_IDLE_MS : Number(seconds) * 1000 - IDLE_MARGIN_MS;
}

/** The Agent that keeps a connection only as long as the upstream's announced idle timeout allows. */
class IdleClosingAgent extends Agent {
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    // No cap on idle connections (Node's default keeps 256 and closes the rest): under a burst of
    // more sessions than that, every answer beyond it would close its connection and the next
    // request would open a new one, and a queue of connection attempts at the upstream is what
    // made the soak's slowest calls wait seconds. Idle ones are closed by the sweep instead.
    super({ keepAlive: true, scheduling: "lifo", maxFreeSockets: Number.POSITIVE_INFINITY });
    this.sweeper = setInterval(() => this.closeIdle(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Node's hook for a connection going back into the pool: false closes it instead. */
  override keepSocketAlive(socket: PooledSocket): boolean {
    const allowance = socket[IDLE_FOR] ?? DEFAULT_IDLE_MS;
    if (allowance <= 0) return false;
    socket[IDLE_UNTIL] = performance.now() + allowance;
    socket.unref();
    return true;
  }

  private closeIdle(): void {
    const now = performance.now();
    for (const sockets of Object.values(this.freeSockets))
      for (const socket of sockets ?? []) if (((socket as PooledSocket)[IDLE_UNTIL] ?? 0) <= now) socket.destroy();
  }

  override destroy(): void {
    clearInterval(this.sweeper);
    super.destroy();
  }
}

// The lengths of the names looked at: any other name is passed over without being lower-cased.
const KEEP_ALIVE = "keep-alive";
// Indexed by length (an array read where a Set lookup would hash the number first).
const LOOKED_AT_LENGTHS: readonly boolean[] = (() => {
  const names = [...RELAYED_RESPONSE_HEADERS, KEEP_ALIVE];
  const lengths = Array.from({ length: Math.max(...names.map((name) => name.length)) + 1 }, () => false);
  for (const name of names) lengths[name.length] = true;
  return lengths;
})();

/**
 * The relayed response headers of Node's raw `[name, value, name, value, …]` list (a repeated one
 * is dropped), noting on `socket` how long it may idle after this answer (its `Keep-Alive` hint):
 * one pass over the fields for both.
 */
function relayedHeaders(raw: string[], socket: PooledSocket | null): Record<string, string> {
  const out: Record<string, string> = {};
  // Allocated only when a header repeats, which answers almost never do (this runs per call).
  let repeated: Set<string> | undefined;
  let keepAlive: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i] as string;
    if (LOOKED_AT_LENGTHS[field.length] !== true) continue;
    const name = field.toLowerCase();
    if (!RELAYED_RESPONSE_HEADERS.has(name)) {
      if (name === KEEP_ALIVE) keepAlive = raw[i + 1];
      continue;
    }
    if (out[name] !== undefined) (repeated ??= new Set()).add(name);
    out[name] = raw[i + 1] as string;
  }
  if (repeated) for (const name of repeated) delete out[name];
  if (socket) socket[IDLE_FOR] = idleAllowance(keepAlive);
  return out;
}

/**
 * How one exchange ends, whichever of its attempts ends it. While an attempt waits for its answer's
 * head it is listed on the pool's sweep, which cuts it once `deadline` has passed.
 */
class Outcome implements Swept {
  current: ClientRequest | undefined = undefined;
  settled = false;
  /** When the current attempt times out (performance.now() ms). */
  deadline = 0;
  sweepPrev: Swept | undefined = undefined;
  sweepNext: Swept | undefined = undefined;

  constructor(
    /** Every field of the request, Host and Content-Length included (the same for each attempt). */
    readonly fields: string[],
    private readonly done: AnswerCallback,
    private readonly sweep: Sweep,
  ) {}

  /** Ends the exchange, unless it has ended already. */
  settle(error: ExchangeError | undefined, answer?: Answer): void {
    if (this.settled) return;
    this.settled = true;
    this.done(error, answer);
  }

  onSweep(now: number): void {
    const req = this.current;
    if (now < this.deadline || !req) return;
    this.sweep.remove(this);
    const connecting = req.socket === null || req.socket.connecting;
    req.destroy(new ExchangeError(connecting ? TIMEOUT_CODES.connect : TIMEOUT_CODES.headers));
  }
}

export class UpstreamPool {
  private readonly agent = new IdleClosingAgent();
  // Attempts waiting for an answer's head: cut a quarter of the timeout late at most (sweep.ts).
  private readonly waiting: Sweep;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  // The Host field as Node would write it (no port when it is the default).
  private readonly hostHeader: string;

  constructor(
    url: URL,
    private readonly timeoutMs: number,
  ) {
    this.host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.port = Number(url.port || 80);
    this.path = `${url.pathname}${url.search}`;
    this.hostHeader = url.host;
    this.waiting = new Sweep(sweepPeriodFor(timeoutMs));
  }

  /**
   * Sends one request and calls `done` once: with the answer once its head is in, or with an
   * ExchangeError. A callback, not a promise: the relay's hot path runs without promises.
   */
  exchange(exchange: Exchange, done: AnswerCallback): void {
    // Fields as a flat list: Node writes them as given (still validating each), where an object
    // would first go through setHeader's per-request header map. Host and the body's length are
    // then Node's to add only for an object, so the list carries them.
    const fields = ["host", this.hostHeader, ...exchange.fields];
    if (exchange.body) fields.push("content-length", String(exchange.body.byteLength));
    const outcome = new Outcome(fields, done, this.waiting);
    exchange.onClientGone(() => {
      if (outcome.settled) return;
      this.waiting.remove(outcome);
      outcome.current?.destroy();
      outcome.settle(new ExchangeError("CLIENT_GONE"));
    });
    try {
      this.attempt(exchange, outcome, 0);
    } catch (error) {
      // Node would not send the request at all (a field it refuses to write): nothing went out.
      const code = (error as NodeJS.ErrnoException).code;
      outcome.settle(new ExchangeError(typeof code === "string" ? code : "REQUEST_REFUSED", { cause: error }));
    }
  }

  /** One attempt of `exchange` (retries come back here). */
  private attempt(exchange: Exchange, outcome: Outcome, retries: number): void {
    const req = request({
      agent: this.agent,
      host: this.host,
      port: this.port,
      path: this.path,
      method: exchange.method,
      headers: outcome.fields,
    });
    outcome.current = req;
    outcome.deadline = performance.now() + this.timeoutMs;
    this.waiting.add(outcome);
    let answered = false;
    // A request has one response ("response" is emitted once): `on` spares once's wrapper.
    req.on("response", (answer: IncomingMessage) => {
      answered = true;
      this.waiting.remove(outcome);
      const headers = relayedHeaders(answer.rawHeaders, answer.socket as PooledSocket | null);
      if (outcome.settled) {
        answer.destroy();
        return;
      }
      outcome.settle(undefined, { status: answer.statusCode ?? 502, headers, body: answer });
    });
    // After the answer began, a failure reaches its body instead (the relay cuts the response).
    req.on("error", (error: NodeJS.ErrnoException) => {
      this.waiting.remove(outcome);
      if (answered || outcome.settled) return;
      if (retries < MAX_RETRIES && neverProcessed(error, req.reusedSocket)) {
        this.attempt(exchange, outcome, retries + 1);
        return;
      }
      outcome.settle(error instanceof ExchangeError ? error : new ExchangeError(error.code ?? error.name, { cause: error }));
    });
    req.end(exchange.body);
  }

  async close(): Promise<void> {
    this.waiting.stop();
    this.agent.destroy();
  }
}
