/**
 * HTTP exchanges with a Streamable HTTP upstream over a pool of keep-alive connections (undici's
 * Pool, driven through its low-level dispatch API: no fetch, no web streams, the answer's body as
 * a plain Node stream). Two rules keep a reused connection from failing a request:
 *
 * - An idle connection is closed by the gateway before the upstream would close it: after the
 *   upstream's own `Keep-Alive: timeout=` hint less a margin (RFC 9112 §9.3 lets either side close
 *   an idle connection at any time; the hint says when the server will), and after a short
 *   default when it sends none (Node's HTTP server closes after 5 s but announces it only on
 *   responses whose `Connection` header it set itself, not on SSE answers).
 * - A request written on a reused connection that the upstream had already closed fails with a
 *   reset (ECONNRESET or EPIPE from the socket) before any byte of an answer: the upstream's kernel
 *   refused bytes its application never read, so the request was not processed and is sent again
 *   on another connection. A connection closed without a reset (a FIN, "other side closed"), any
 *   failure on a fresh connection, and any failure after an answer began are not retried: there
 *   the request may have been processed.
 */
import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { Client, Pool } from "undici";
import type { Dispatcher } from "undici";
import { MCP_HEADERS } from "@mcpbox/shared";
import type { McpHttpMethod } from "@mcpbox/shared";

/** Idle time after which a pooled connection is closed when the upstream announced no timeout. */
export const DEFAULT_IDLE_MS = 3_000;
/** Subtracted from the upstream's `Keep-Alive: timeout=` hint (event-loop delay, transit). */
export const IDLE_MARGIN_MS = 2_000;
// Stale connections one request may meet in a row before it gives up (each is then closed).
const MAX_RETRIES = 8;

/** Response headers relayed to the client; the body is relayed byte for byte, so its framing too. */
export const RELAYED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
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
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array;
  /** Calls `listener` if the client goes away: the exchange is then abandoned. */
  onClientGone(listener: () => void): void;
}

/** The upstream's answer: its status, the relayed headers, and its body as it streams in. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: AnswerBody;
}

/** Why an exchange failed: a short code for logs and errors (e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT). */
export class ExchangeError extends Error {
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`upstream exchange failed (${code})`, options);
    this.name = "ExchangeError";
  }
}

/** True when a failed request provably never reached the upstream's application (see above). */
export function neverProcessed(error: NodeJS.ErrnoException, reused: boolean, answered: boolean): boolean {
  if (answered || !reused) return false;
  return (error.code === "ECONNRESET" && error.syscall !== undefined) || error.code === "EPIPE";
}

/**
 * A pool connection that knows how many answers it completed on its current socket, so that a
 * request can tell whether it went out on a fresh connection or a reused one.
 */
class CountingClient extends Client {
  served = 0;

  constructor(origin: URL | string, options: Client.Options) {
    super(origin, options);
    this.on("connect", () => (this.served = 0));
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    (handler as ExchangeHandler).client = this;
    return super.dispatch(options, handler);
  }
}

/** An answer's body: pushed as the upstream sends it, paused while the client does not read. */
export class AnswerBody extends Readable {
  /** True once the upstream's whole body is in (the relay then needs no keepalive for it). */
  complete = false;
  resumeSource: (() => void) | undefined;
  /**
   * The exchange to abort if the body is dropped before it is complete. The handler itself, not a
   * closure over it: V8 came to allocate that closure's context straight into the old generation
   * (allocation-site pretenuring), from where it kept every exchange alive through minor GCs.
   */
  source: { abortAnswer(reason: Error): void } | undefined;

  override _read(): void {
    this.resumeSource?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.complete) this.source?.abortAnswer(error ?? new Error("the client went away"));
    this.resumeSource = undefined;
    this.source = undefined;
    callback(error);
  }
}

/** The relayed response headers of undici's raw `[name, value, name, value, …]` list; a repeated one is dropped. */
function relayedHeaders(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  // Allocated only when a header repeats, which answers almost never do (this runs per call).
  let repeated: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString("latin1").toLowerCase();
    if (!RELAYED_RESPONSE_HEADERS.has(name)) continue;
    if (name in out) (repeated ??= new Set()).add(name);
    out[name] = (raw[i + 1] as Buffer).toString("latin1");
  }
  if (repeated) for (const name of repeated) delete out[name];
  return out;
}

/** The attempts of one exchange: the one in flight, and how the exchange ends. */
interface Attempts {
  current: ExchangeHandler | undefined;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: ExchangeError) => void;
}

/** One attempt of an exchange as an undici dispatch handler. */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  client: CountingClient | undefined;
  private abort: ((reason?: Error) => void) | undefined;
  private reused = false;
  private answered = false;
  private body: AnswerBody | undefined;
  private settled = false;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly exchange: Exchange,
    private readonly attempts: Attempts,
    private readonly retries: number,
  ) {}

  /** Abandons the exchange (the client left): before the answer it fails, after it the body ends. */
  cancel(reason: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.abort?.(reason);
    this.attempts.reject(new ExchangeError("CLIENT_GONE", { cause: reason }));
  }

  /** The answer's body was dropped before it was complete (the client left): stop receiving it. */
  abortAnswer(reason: Error): void {
    this.abort?.(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
    this.reused = (this.client?.served ?? 0) > 0;
    if (this.settled) abort(new Error("the client went away"));
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    this.answered = true;
    if (this.settled) return false;
    this.settled = true;
    const body = new AnswerBody();
    body.resumeSource = resume;
    body.source = this;
    this.body = body;
    this.attempts.resolve({ status, headers: relayedHeaders(raw), body });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.body?.push(chunk) ?? false;
  }

  onComplete(): void {
    if (this.client) this.client.served++;
    const body = this.body;
    if (!body) return;
    body.complete = true;
    body.source = undefined;
    body.push(null);
  }

  onError(error: Error): void {
    if (this.body) {
      this.body.destroy(error);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    const code = (error as NodeJS.ErrnoException).code;
    if (this.retries < MAX_RETRIES && neverProcessed(error as NodeJS.ErrnoException, this.reused, this.answered)) {
      this.pool.dispatch(this.exchange, this.attempts, this.retries + 1);
      return;
    }
    this.attempts.reject(new ExchangeError(code ?? error.name, { cause: error }));
  }

  onUpgrade(): void {
    this.onError(new Error("the upstream switched protocols"));
  }
}

export class UpstreamPool {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(url: URL, timeoutMs: number) {
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      keepAliveTimeout: DEFAULT_IDLE_MS,
      keepAliveTimeoutThreshold: IDLE_MARGIN_MS,
      headersTimeout: timeoutMs,
      // A stream may stay quiet for as long as the client keeps it open.
      bodyTimeout: 0,
      connect: { timeout: timeoutMs },
      factory: (origin, options) => new CountingClient(origin, options as Client.Options),
    });
  }

  /** Sends one request; resolves once the answer's head is in. Rejects with ExchangeError. */
  exchange(exchange: Exchange): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const attempts: Attempts = { current: undefined, resolve, reject };
      exchange.onClientGone(() => attempts.current?.cancel(new Error("the client went away")));
      this.dispatch(exchange, attempts, 0);
    });
  }

  /** One attempt of `exchange` (retries come back here). */
  dispatch(exchange: Exchange, attempts: Attempts, retries: number): void {
    const handler = new ExchangeHandler(this, exchange, attempts, retries);
    attempts.current = handler;
    this.pool.dispatch(
      { path: this.path, method: exchange.method, headers: exchange.headers as IncomingHttpHeaders, body: exchange.body },
      handler,
    );
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
