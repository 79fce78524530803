/**
 * A streaming response read raw, as the bytes arrive: the text so far, waits on what it holds,
 * and the count of keepalive comments in it. Also a gate the stand-in upstreams wait on, so a test
 * decides when the upstream speaks next instead of sleeping.
 */
import { request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";

export const KEEPALIVE = ": keepalive\n\n";

export function countKeepalives(text: string): number {
  return text.split(KEEPALIVE).length - 1;
}

export interface RawStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Everything received so far, decoded as UTF-8. */
  text(): string;
  /** Resolves with the text once `predicate` holds for it; rejects if the stream ends first. */
  waitFor(predicate: (text: string) => boolean): Promise<string>;
  /** Resolves with the whole text when the response ends. */
  readonly ended: Promise<string>;
  /** Leaves: destroys the request. */
  close(): void;
}

export interface RawStreamRequest {
  port: number;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
}

/** Collects decoded text as chunks arrive and answers waits on it. */
class TextCollector {
  private readonly decoder = new TextDecoder();
  private text = "";
  private done = false;
  private readonly waiters: { predicate: (text: string) => boolean; resolve: (text: string) => void; reject: (error: Error) => void }[] =
    [];
  private endStream!: (text: string) => void;
  private failStream!: (error: Error) => void;
  readonly ended = new Promise<string>((resolve, reject) => {
    this.endStream = resolve;
    this.failStream = reject;
  });

  constructor() {
    this.ended.catch(() => undefined);
  }

  get current(): string {
    return this.text;
  }

  push(chunk: Uint8Array): void {
    this.text += this.decoder.decode(chunk, { stream: true });
    this.check();
  }

  end(error?: Error): void {
    this.done = true;
    this.check();
    if (error) this.failStream(error);
    else this.endStream(this.text);
  }

  waitFor(predicate: (text: string) => boolean): Promise<string> {
    if (predicate(this.text)) return Promise.resolve(this.text);
    if (this.done) return Promise.reject(new Error(`the stream had ended; it held: ${JSON.stringify(this.text)}`));
    return new Promise((resolve, reject) => this.waiters.push({ predicate, resolve, reject }));
  }

  private check(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(this.text)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(this.text);
      } else if (this.done) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.reject(new Error(`the stream ended without what the test waited for; it held: ${JSON.stringify(this.text)}`));
      }
    }
  }
}

/** Sends a request and resolves once the response headers are in. */
export function openRawStream(options: RawStreamRequest): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: options.port, method: options.method, path: "/mcp", headers: options.headers, agent: false },
      (res) => {
        const collector = new TextCollector();
        res.on("data", (chunk: Buffer) => collector.push(chunk));
        res.on("end", () => collector.end());
        res.on("error", (error) => collector.end(error));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => collector.current,
          waitFor: (predicate) => collector.waitFor(predicate),
          ended: collector.ended,
          close: () => req.destroy(),
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The same view of a web Response's body (the app's web path). */
export function rawStreamFromWeb(response: Response): RawStream {
  const collector = new TextCollector();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const pump = async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return collector.end();
      collector.push(value);
    }
  };
  pump().catch((error: unknown) => collector.end(error instanceof Error ? error : new Error(String(error))));
  const headers: IncomingHttpHeaders = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return {
    status: response.status,
    headers,
    text: () => collector.current,
    waitFor: (predicate) => collector.waitFor(predicate),
    ended: collector.ended,
    close: () => void reader.cancel().catch(() => undefined),
  };
}

export interface Gate {
  /** Resolves once `open()` was called. */
  readonly opened: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
