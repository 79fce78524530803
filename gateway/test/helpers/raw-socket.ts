/**
 * Bytes on a TCP socket, for requests Node's HTTP client refuses to send (duplicate
 * Content-Length, obs-fold, NUL bytes, bare LF, HTTP/2 prefaces…). Reads every response the
 * server writes until it closes the connection, and parses them into the same shape as
 * raw-http.ts, so a test can assert status and JSON error body alike.
 */
import { connect } from "node:net";
import type { IncomingHttpHeaders } from "node:http";
import type { RawResponse } from "./raw-http";

// Only a safety net against a server that never closes: no test asserts on time.
const GIVE_UP_MS = 10_000;

function parseOne(buffer: Buffer): { response: RawResponse; rest: Buffer } | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const lines = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0]?.split(" ")[1]);
  const headers: IncomingHttpHeaders = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = buffer.subarray(end + 4);
  let body: Buffer;
  if (headers["transfer-encoding"] === "chunked") {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf("\r\n");
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString("latin1"), 16);
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
      if (size === 0) break;
    }
    body = Buffer.concat(chunks);
  } else {
    const length = Number(headers["content-length"] ?? 0);
    if (rest.length < length) return undefined;
    body = rest.subarray(0, length);
    rest = rest.subarray(length);
  }
  const text = body.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { response: { status, headers, text, json }, rest };
}

// Between the parts of a request written in parts: long enough for the server to read each alone.
const PAUSE_BETWEEN_PARTS_MS = 50;

/**
 * Writes `bytes` (a list: one part at a time, with a pause between them) and resolves with every
 * response read before the server closed the connection.
 */
export function rawExchange(port: number, bytes: string | Buffer | readonly (string | Buffer)[]): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received: Buffer = Buffer.alloc(0);
    const giveUp = setTimeout(() => socket.destroy(), GIVE_UP_MS);
    socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may reset after answering; what it answered still counts.
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    socket.on("close", () => {
      clearTimeout(giveUp);
      const responses: RawResponse[] = [];
      let rest: Buffer = received;
      for (let parsed = parseOne(rest); parsed; parsed = parseOne(rest)) {
        responses.push(parsed.response);
        rest = parsed.rest;
      }
      resolve(responses);
    });
    const parts = typeof bytes === "string" || Buffer.isBuffer(bytes) ? [bytes] : [...bytes];
    const writeNext = () => {
      const part = parts.shift();
      if (part === undefined || socket.destroyed) return;
      socket.write(part);
      if (parts.length > 0) setTimeout(writeNext, PAUSE_BETWEEN_PARTS_MS);
    };
    writeNext();
  });
}

/** The first response of a raw exchange (a test fails clearly when there was none). */
export async function rawFirst(port: number, bytes: string | Buffer | readonly (string | Buffer)[]): Promise<RawResponse> {
  const [first] = await rawExchange(port, bytes);
  if (!first) throw new Error("the server closed the connection without an HTTP response");
  return first;
}
