/**
 * Rewrites JSON-RPC messages inside a Server-Sent Events stream, event by event, as the bytes
 * arrive. Events are found on the bytes (an event ends with an empty line; lines end with CRLF,
 * LF or CR: WHATWG HTML §9.2.5), and only a whole event is ever decoded, so multi-byte characters
 * split across chunks are safe. Events the rewriter leaves alone are relayed byte for byte; once
 * it says it is finished, the rest of the stream passes without being looked at.
 */

const CR = 0x0d;
const LF = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface MessageRewriter {
  /** A replacement for the message, or undefined to keep the event untouched. */
  rewrite(message: unknown): unknown;
  /** True once no later message can need rewriting. */
  finished(): boolean;
}

/** The data of one event (its `data:` lines joined with LF), or null when it has none. Pure. */
export function eventData(event: string): string | null {
  let data: string | null = null;
  for (const line of event.split(/\r\n|\r|\n/)) {
    if (line !== "data" && !line.startsWith("data:")) continue;
    let value = line.slice(5);
    if (value.startsWith(" ")) value = value.slice(1);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}

/** The event with its data replaced by `json`, other fields (event, id, retry) kept. Pure. */
export function replaceEventData(event: string, json: string): string {
  const lines: string[] = [];
  let placed = false;
  for (const line of event.split(/\r\n|\r|\n/)) {
    if (line === "") continue;
    if (line === "data" || line.startsWith("data:")) {
      if (!placed) lines.push(`data: ${json}`);
      placed = true;
    } else lines.push(line);
  }
  return `${lines.join("\n")}\n\n`;
}

/** An SSE event carrying one JSON-RPC message. */
export function sseEvent(message: unknown): Uint8Array {
  return encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

function rewriteEvent(bytes: Uint8Array, rewriter: MessageRewriter): Uint8Array {
  const event = decoder.decode(bytes);
  const data = eventData(event);
  if (data === null) return bytes;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch (error) {
    // Not JSON: no MCP client can read it either, so it is relayed as the server sent it.
    if (error instanceof SyntaxError) return bytes;
    throw error;
  }
  const replacement = rewriter.rewrite(message);
  return replacement === undefined ? bytes : encoder.encode(replaceEventData(event, JSON.stringify(replacement)));
}

/** Finds where complete events end in a byte buffer; tracks line state across calls. */
class EventSplitter {
  private lineStart = 0;
  private eventStart = 0;
  private scanned = 0;

  /** Ends of complete events in `buffer` (offsets just past their empty line). */
  split(buffer: Uint8Array, ended: boolean): number[] {
    const ends: number[] = [];
    let i = this.scanned;
    while (i < buffer.length) {
      const byte = buffer[i] as number;
      if (byte !== CR && byte !== LF) {
        i++;
        continue;
      }
      // A CR at the end of what arrived may be the first half of a CRLF: wait for the next byte.
      if (byte === CR && i + 1 === buffer.length && !ended) break;
      const next = byte === CR && buffer[i + 1] === LF ? i + 2 : i + 1;
      if (i === this.lineStart) {
        if (i > this.eventStart) ends.push(next);
        this.eventStart = next;
      }
      this.lineStart = next;
      i = next;
    }
    this.scanned = i;
    return ends;
  }

  /** Forgets the first `count` bytes (they were emitted). */
  shift(count: number): void {
    this.lineStart -= count;
    this.eventStart -= count;
    this.scanned -= count;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Yields `source` with `prefix` first and every event's message offered to `rewriter`. Bytes after
 * the last complete event are held until their event completes (or the stream ends).
 */
export async function* rewriteSseStream(
  source: AsyncIterable<Uint8Array>,
  rewriter: MessageRewriter,
  prefix: readonly Uint8Array[] = [],
): AsyncGenerator<Uint8Array> {
  for (const event of prefix) yield event;
  let pending: Uint8Array = new Uint8Array(0);
  const splitter = new EventSplitter();
  let passing = rewriter.finished();
  for await (const chunk of source) {
    if (passing) {
      yield chunk;
      continue;
    }
    pending = concat(pending, chunk);
    let start = 0;
    const parts: Uint8Array[] = [];
    for (const end of splitter.split(pending, false)) {
      parts.push(rewriteEvent(pending.subarray(start, end), rewriter));
      start = end;
      if (rewriter.finished()) {
        passing = true;
        break;
      }
    }
    if (passing) {
      parts.push(pending.subarray(start));
      pending = new Uint8Array(0);
    } else if (start > 0) {
      pending = pending.slice(start);
      splitter.shift(start);
    }
    for (const part of parts) if (part.length > 0) yield part;
  }
  if (pending.length === 0) return;
  // At the end a trailing CR is a whole line break, and an unfinished last event is judged too:
  // a parser should drop it, but one that does not must not see an unfiltered list.
  let start = 0;
  for (const end of splitter.split(pending, true)) {
    yield rewriteEvent(pending.subarray(start, end), rewriter);
    start = end;
  }
  if (start < pending.length) yield rewriteEvent(pending.subarray(start), rewriter);
}
