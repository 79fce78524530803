/**
 * Keepalive comments on relayed SSE streams. Cloudflare cuts a connection that carries no byte for
 * about 100 s, so a tool that works quietly for two minutes would lose its answer; a stream that
 * has been quiet for the configured time gets `: keepalive`, a comment line every SSE parser skips.
 * A comment is only ever placed between events, never inside one the upstream has half sent.
 */
import { performance } from "node:perf_hooks";
import { mediaTypeOf } from "./media-type";
import { Sweep, sweepPeriodFor } from "./sweep";
import type { Swept } from "./sweep";

const CR = 0x0d;
const LF = 0x0a;

/** The comment the gateway writes: a comment line and the blank line that closes it. */
export const SSE_KEEPALIVE_COMMENT: Uint8Array = new TextEncoder().encode(": keepalive\n\n");

/**
 * True when comments may be added to a response with these (lower-case) headers: its type is
 * `text/event-stream`, and neither a `Content-Length` nor a content coding fixes its bytes.
 */
export function acceptsKeepalive(headers: Readonly<Record<string, string>>): boolean {
  if (mediaTypeOf(headers["content-type"]) !== "text/event-stream") return false;
  if (headers["content-length"] !== undefined) return false;
  const coding = headers["content-encoding"]?.trim().toLowerCase();
  return coding === undefined || coding === "" || coding === "identity";
}

/**
 * Follows the bytes of an event stream and tells whether they end between two events. An event
 * ends with a blank line, and a line ends with CRLF, LF or CR (WHATWG HTML §9.2.5, "Parsing an
 * event stream"), so `\n\n`, `\r\n\r\n` and `\r\r` all close one, whichever chunks carry them.
 */
export class EventBoundary {
  /** True when the bytes so far end with a blank line, or nothing was sent yet. */
  atBoundary = true;
  private lineHasContent = false;
  private afterCR = false;

  /** Takes the next chunk of the stream. Costs a look at its trailing line breaks only. */
  observe(chunk: Uint8Array): void {
    let tail = chunk.length;
    while (tail > 0 && (chunk[tail - 1] === CR || chunk[tail - 1] === LF)) tail--;
    if (tail > 0) {
      // Whatever came before, the stream is now inside a line that has content.
      this.lineHasContent = true;
      this.afterCR = false;
      this.atBoundary = false;
    }
    for (let i = tail; i < chunk.length; i++) this.lineBreak(chunk[i] as number);
  }

  /** A comment (ending in a blank line) was just written into the stream. */
  commentWritten(): void {
    // An LF that follows now ends an empty line of its own rather than completing a CRLF.
    this.afterCR = false;
    this.lineHasContent = false;
    this.atBoundary = true;
  }

  private lineBreak(byte: number): void {
    if (byte === LF && this.afterCR) {
      this.afterCR = false;
      return;
    }
    this.afterCR = byte === CR;
    this.atBoundary = !this.lineHasContent;
    this.lineHasContent = false;
  }
}

// One sweep per interval (a gateway uses one): every stream whose keepalive is running is listed on it.
const sweeps = new Map<number, Sweep>();

function sweepFor(intervalMs: number): Sweep {
  let sweep = sweeps.get(intervalMs);
  if (!sweep) sweeps.set(intervalMs, (sweep = new Sweep(sweepPeriodFor(intervalMs))));
  return sweep;
}

/**
 * One stream's keepalive. It holds no timer of its own: it is listed on the sweep of its interval
 * (sweep.ts), which looks at it a few times per interval, so relaying a chunk costs a clock read
 * and starting and ending a stream relink two pointers. A comment goes out between one and one
 * and a quarter intervals after the last byte. `writeComment` returns false when the comment
 * cannot go out now (stream ended, or the client is not reading: bytes are still queued).
 */
export class SseKeepalive implements Swept {
  private readonly boundary = new EventBoundary();
  private lastWrite = performance.now();
  // When the sweep next looks at the stream: one interval after the last write or the last try.
  private nextLook: number;
  private sawUpstreamByte = false;
  private commentFirst = false;
  private readonly sweep: Sweep;
  sweepPrev: Swept | undefined = undefined;
  sweepNext: Swept | undefined = undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly writeComment: (comment: Uint8Array) => boolean,
  ) {
    this.nextLook = this.lastWrite + intervalMs;
    this.sweep = sweepFor(intervalMs);
    this.sweep.add(this);
  }

  /** Call with each upstream chunk just before writing it; returns the bytes to write. */
  relay(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return chunk;
    this.lastWrite = performance.now();
    if (!this.sawUpstreamByte) {
      this.sawUpstreamByte = true;
      // A byte order mark is skipped only at the very start of a stream; after our comment it
      // would glue itself to the first field name, so it goes.
      if (this.commentFirst && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    this.boundary.observe(chunk);
    return chunk;
  }

  /** Ends the keepalive (stream finished, failed, or client gone). Idempotent. */
  stop(): void {
    this.sweep.remove(this);
  }

  /** The sweep's look: a comment once the stream has been quiet for an interval. */
  onSweep(now: number): void {
    if (now < this.nextLook) return;
    const quietFor = now - this.lastWrite;
    if (quietFor < this.intervalMs) {
      this.nextLook = this.lastWrite + this.intervalMs;
      return;
    }
    if (this.boundary.atBoundary && this.writeComment(SSE_KEEPALIVE_COMMENT)) {
      if (!this.sawUpstreamByte) this.commentFirst = true;
      this.boundary.commentWritten();
      this.lastWrite = performance.now();
    }
    // Mid-event or not writable: look again one interval later (the upstream's next bytes move
    // `lastWrite` and the check along with them).
    this.nextLook = now + this.intervalMs;
  }
}

/** The web-stream form (replies relayed as a web Response): `body` with keepalive comments added. */
export function withKeepalive(body: ReadableStream<Uint8Array>, intervalMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let keepalive: SseKeepalive | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      keepalive = new SseKeepalive(intervalMs, (comment) => {
        // Only while the consumer waits for bytes: a comment never queues up behind data.
        if ((controller.desiredSize ?? 0) <= 0) return false;
        controller.enqueue(comment);
        return true;
      });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          keepalive?.stop();
          controller.close();
        } else controller.enqueue(keepalive ? keepalive.relay(value) : value);
      } catch (error) {
        keepalive?.stop();
        throw error;
      }
    },
    cancel(reason) {
      keepalive?.stop();
      return reader.cancel(reason);
    },
  });
}
