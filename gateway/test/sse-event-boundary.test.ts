/**
 * The pieces behind keepalive comments, without a network: where an event stream's bytes may take
 * a comment (blank line reached, whatever the line breaks and however they were split), which
 * responses may take one at all, and a keepalive that writes nothing mid-event or once stopped.
 */
import { describe, expect, it } from "vitest";
import { EventBoundary, SseKeepalive, acceptsKeepalive } from "../src/sse-keepalive";

const bytes = (text: string) => new TextEncoder().encode(text);

/** The boundary state after each chunk. */
function after(...chunks: string[]): boolean[] {
  const boundary = new EventBoundary();
  return chunks.map((chunk) => {
    boundary.observe(bytes(chunk));
    return boundary.atBoundary;
  });
}

describe("EventBoundary", () => {
  it("starts at a boundary: a comment may open a stream", () => {
    expect(new EventBoundary().atBoundary).toBe(true);
  });

  it.each([
    ["LF", ["data: a\n\n"], [true]],
    ["CRLF", ["data: a\r\n\r\n"], [true]],
    ["CR", ["data: a\r\r"], [true]],
    ["mixed line breaks", ["data: a\n\r"], [true]],
    ["a comment of the upstream's own", [": ping\n\n"], [true]],
    ["several events in one chunk", ['data: a\n\nid: 2\ndata: {"b":1}\n\n'], [true]],
    ["a line ended, the event not", ["data: a\n"], [false]],
    ["a line ended with CRLF, the event not", ["data: a\r\n"], [false]],
    ["half a line", ["data: a\n\ndata: b"], [false]],
  ])("%s", (_name, chunks, expected) => {
    expect(after(...chunks)).toEqual(expected);
  });

  it.each([
    ["LF | LF", ["data: a\n", "\n"], [false, true]],
    ["CRLF | CRLF", ["data: a\r\n", "\r\n"], [false, true]],
    ["CR | LF: one CRLF, no blank line", ["data: a\r", "\n"], [false, false]],
    ["CR | LF CRLF", ["data: a\r", "\n\r\n"], [false, true]],
    ["CRLF CR | LF: the blank line ended at the CR", ["data: a\r\n\r", "\n"], [true, true]],
    ["CR | CR", ["data: a\r", "\r"], [false, true]],
    ["mid-line | rest of the event", ['data: {"a"', ":1}\n\n"], [false, true]],
    ["event | next event begins", ["data: a\n\n", "data: b"], [true, false]],
  ])("follows a boundary split across chunks: %s", (_name, chunks, expected) => {
    expect(after(...chunks)).toEqual(expected);
  });

  it("after a comment, an LF that completes the upstream's CRLF counts as its own blank line", () => {
    const boundary = new EventBoundary();
    boundary.observe(bytes("data: a\r\n\r"));
    boundary.commentWritten();
    boundary.observe(bytes("\n"));
    expect(boundary.atBoundary).toBe(true);
    boundary.observe(bytes("data: b\r"));
    expect(boundary.atBoundary).toBe(false);
  });
});

describe("acceptsKeepalive", () => {
  it.each([
    [{ "content-type": "text/event-stream" }, true],
    [{ "content-type": "Text/Event-Stream; charset=utf-8" }, true],
    [{ "content-type": "text/event-stream", "content-encoding": "identity" }, true],
    [{ "content-type": "application/json" }, false],
    [{ "content-type": "text/event-streams" }, false],
    [{}, false],
    [{ "content-type": "text/event-stream", "content-length": "42" }, false],
    [{ "content-type": "text/event-stream", "content-encoding": "gzip" }, false],
  ])("%j → %s", (headers, expected) => {
    expect(acceptsKeepalive(headers)).toBe(expected);
  });
});

describe("SseKeepalive", () => {
  /** A keepalive that counts its comments, to show that intervals went by. */
  function clock(intervalMs: number) {
    let ticks = 0;
    const waiters: { n: number; resolve: () => void }[] = [];
    const keepalive = new SseKeepalive(intervalMs, () => {
      ticks++;
      for (const w of waiters.filter((w) => ticks >= w.n)) w.resolve();
      return true;
    });
    return { keepalive, passed: (n: number) => new Promise<void>((resolve) => waiters.push({ n: ticks + n, resolve })) };
  }

  it("writes nothing once stopped", async () => {
    const written: Uint8Array[] = [];
    const stopped = new SseKeepalive(10, (comment) => written.push(comment) > 0);
    stopped.stop();
    const witness = clock(10);
    await witness.passed(3);
    witness.keepalive.stop();
    expect(written).toEqual([]);
  });

  it("holds its comment while an event is half sent, and writes it once the event is complete", async () => {
    const written: string[] = [];
    let wrote!: () => void;
    const firstComment = new Promise<void>((resolve) => (wrote = resolve));
    const keepalive = new SseKeepalive(10, (comment) => {
      written.push(new TextDecoder().decode(comment));
      wrote();
      return true;
    });
    keepalive.relay(bytes("data: half"));
    const witness = clock(10);
    await witness.passed(4);
    expect(written).toEqual([]);
    keepalive.relay(bytes(" and the rest\n\n"));
    await firstComment;
    keepalive.stop();
    witness.keepalive.stop();
    expect(written).toEqual([": keepalive\n\n"]);
  });

  it("tries again when the comment cannot go out (client not reading)", async () => {
    let attempts = 0;
    let thirdAttempt!: () => void;
    const tried = new Promise<void>((resolve) => (thirdAttempt = resolve));
    const keepalive = new SseKeepalive(10, () => {
      if (++attempts === 3) thirdAttempt();
      return false;
    });
    await tried;
    keepalive.stop();
    expect(attempts).toBe(3);
  });
});
