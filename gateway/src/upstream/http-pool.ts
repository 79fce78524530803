/**
 * HTTP exchanges with a Streamable HTTP upstream over a pool of keep-alive connections
 * (`node:http`'s Agent, most recently used connection first). Two rules keep a reused connection
 * from failing a request:
 *
 * - An idle connection is closed by the gateway before the upstream would close it: after the
 *   upstream's own `Keep-Alive: timeout=` hint less a margin (RFC 9112 §9.3 lets either side close
 *   an idle connection at any time; the hint says when the server will), and after a short
 *   default when it sends none (Node's HTTP server closes after 5 s but announces it only on
 *   responses whose `Connection` header it set itself, not on SSE answers).
 * - A request sent on a reused connection that the upstream had already closed fails with a
 *   reset (ECONNRESET or EPIPE from the socket) before any byte of an answer: the upstream's kernel
 *   refused bytes its application never read, so the request was not processed and is sent again
 *   on another connection. A connection closed without a reset (a FIN, "socket hang up"), or any
 *   failure after an answer began, is not retried: the request may have been processed.
 */
import { Agent, request as httpRequest } from "node:http";
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Deadlines } from "./deadlines";
import type { Deadline } from "./deadlines";

/** Idle time after which a pooled connection is closed when the upstream announced no timeout. */
export const DEFAULT_IDLE_MS = 3_000;
/** Subtracted from the upstream's `Keep-Alive: timeout=` hint (event-loop delay, transit). */
export const IDLE_MARGIN_MS = 2_000;
// Stale connections one request may meet in a row before it gives up (each is then closed).
const MAX_RETRIES = 8;
// The headers timeout fires at most a tenth of itself late (and never more than 1 s).
const DEADLINE_STEPS = 10;

export interface Exchange {
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Uint8Array;
  /** Calls `listener` if the client goes away: the exchange is then abandoned. */
  onClientGone(listener: () => void): void;
}

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

/** True when a failed send provably never reached the upstream's application (see above). */
export function neverProcessed(request: ClientRequest, error: NodeJS.ErrnoException, answered: boolean): boolean {
  if (answered || !request.reusedSocket) return false;
  return (error.code === "ECONNRESET" && error.syscall !== undefined) || error.code === "EPIPE";
}

/**
 * One exchange in flight. Once it settles it lets go of the request, the callbacks and the
 * deadline, so the hooks that may outlive it (the client's close listener) keep nothing alive.
 */
class PendingExchange {
  private request: ClientRequest | undefined;
  private resolve: ((response: IncomingMessage) => void) | undefined;
  private reject: ((error: ExchangeError) => void) | undefined;
  private deadline: Deadline | undefined;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly exchange: Exchange,
    resolve: (response: IncomingMessage) => void,
    reject: (error: ExchangeError) => void,
  ) {
    this.resolve = resolve;
    this.reject = reject;
  }

  start(deadline: Deadline): void {
    this.deadline = deadline;
    this.exchange.onClientGone(() => this.fail(new ExchangeError("CLIENT_GONE")));
    this.attempt(0);
  }

  fail(error: ExchangeError): void {
    const { reject, request } = this;
    if (!reject) return;
    this.release();
    request?.destroy();
    reject(error);
  }

  private succeed(response: IncomingMessage): void {
    const resolve = this.resolve;
    if (!resolve) return;
    this.release();
    resolve(response);
  }

  private release(): void {
    if (this.deadline) this.pool.cancel(this.deadline);
    this.deadline = undefined;
    this.resolve = undefined;
    this.reject = undefined;
    this.request = undefined;
  }

  private attempt(retries: number): void {
    const req = this.pool.open(this.exchange);
    this.request = req;
    let answered = false;
    req.once("response", (response) => {
      answered = true;
      this.succeed(response);
    });
    req.once("error", (error: NodeJS.ErrnoException) => {
      if (req !== this.request) return;
      if (retries < MAX_RETRIES && neverProcessed(req, error, answered)) this.attempt(retries + 1);
      else this.fail(new ExchangeError(error.code ?? error.name, { cause: error }));
    });
    req.end(this.exchange.body);
  }
}

export class UpstreamPool {
  private readonly agent: Agent;
  private readonly send: typeof httpRequest;
  private readonly host: string;
  private readonly port: string;
  private readonly path: string;
  private readonly deadlines: Deadlines;

  constructor(url: URL, private readonly timeoutMs: number) {
    this.deadlines = new Deadlines(Math.min(1_000, Math.max(1, Math.ceil(timeoutMs / DEADLINE_STEPS))));
    const options = { keepAlive: true, scheduling: "lifo" as const, timeout: DEFAULT_IDLE_MS, agentKeepAliveTimeoutBuffer: IDLE_MARGIN_MS };
    const https = url.protocol === "https:";
    this.agent = https ? new HttpsAgent(options) : new Agent(options);
    this.send = https ? httpsRequest : httpRequest;
    // Request options as plain values, so no URL is parsed again per request.
    this.host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port;
    this.path = `${url.pathname}${url.search}`;
  }

  /**
   * Sends one request; resolves with the answer's head and streaming body. Rejects with
   * ExchangeError: HEADERS_TIMEOUT when no answer began within the timeout, CLIENT_GONE when the
   * client left first, or the socket's error code.
   */
  exchange(exchange: Exchange): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const pending = new PendingExchange(this, exchange, resolve, reject);
      pending.start(this.deadlines.after(this.timeoutMs, () => pending.fail(new ExchangeError("HEADERS_TIMEOUT"))));
    });
  }

  /** Sends one attempt of `exchange` (used by PendingExchange). */
  open(exchange: Exchange): ClientRequest {
    return this.send({ host: this.host, port: this.port, path: this.path, method: exchange.method, headers: exchange.headers, agent: this.agent });
  }

  cancel(deadline: Deadline): void {
    this.deadlines.cancel(deadline);
  }

  close(): void {
    this.deadlines.clear();
    this.agent.destroy();
  }
}
