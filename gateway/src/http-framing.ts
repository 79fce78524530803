/**
 * HTTP/1.1 framing the gateway refuses before any check runs. Node's parser (llhttp, strict mode)
 * already rejects what could let two hops split one byte stream into different requests
 * (RFC 9112 §6.3: Content-Length twice, or together with Transfer-Encoding; obs-fold; bare CR or
 * LF; NUL and other control bytes in fields; over-long headers). By default it answers with an
 * empty 400; here the client learns why, in the gateway's JSON error shape, and the connection
 * closes since nothing after the bad request can be trusted to start a new one.
 */
import type { Duplex } from "node:stream";
import { GatewayError, NOT_FOUND_MESSAGE, errorBodyText } from "./errors";

const REASONS: Readonly<Record<string, string>> = {
  HPE_UNEXPECTED_CONTENT_LENGTH: "Content-Length appears twice, or together with Transfer-Encoding",
  HPE_INVALID_CONTENT_LENGTH: "Content-Length is not a single decimal number",
  HPE_INVALID_TRANSFER_ENCODING: "Transfer-Encoding is not one final chunked coding",
  HPE_INVALID_CHUNK_SIZE: "a chunk size is malformed",
  HPE_INVALID_HEADER_TOKEN: "a header line is malformed (a character not allowed in a field, a folded line, or a space before the colon)",
  HPE_INVALID_METHOD: "the method is not a valid HTTP method",
  HPE_INVALID_URL: "the request target is malformed",
  HPE_INVALID_VERSION: "the HTTP version is not HTTP/1.0 or HTTP/1.1",
  HPE_CR_EXPECTED: "a line does not end with CRLF",
  HPE_LF_EXPECTED: "a line does not end with CRLF",
  HPE_INVALID_CONSTANT: "the request line is malformed",
};

const STATUS_LINES: Readonly<Record<number, string>> = {
  400: "400 Bad Request",
  408: "408 Request Timeout",
  431: "431 Request Header Fields Too Large",
};

/** How many Host fields the request carries (Node keeps only the first in `headers`). Pure. */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === "host") count++;
  }
  return count;
}

/** The status and message the client gets for a parser error code. Pure. */
export function describeMalformedRequest(code: string | undefined): { status: number; message: string } {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, message: "Request timeout: the request was not received in time" };
  if (code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      message: "Request header fields too large: this gateway accepts at most 16 KiB of headers (Node's --max-http-header-size)",
    };
  }
  const reason = (code && REASONS[code]) ?? "it is not valid HTTP/1.1";
  return { status: 400, message: `Bad request: the HTTP request is malformed: ${reason}` };
}

function endWithError(socket: Duplex, statusLine: string, error: GatewayError): void {
  const body = errorBodyText(error);
  socket.end(
    `HTTP/1.1 ${statusLine}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Node `clientError` listener: a JSON error response on the raw socket, then close. */
export function answerMalformedRequest(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, message } = describeMalformedRequest(error.code);
  endWithError(
    socket,
    STATUS_LINES[status] ?? "400 Bad Request",
    new GatewayError(status === 431 ? "headers_too_large" : "malformed_http", message),
  );
}

/** Node `connect` listener: CONNECT (a tunnel request) is outside the allowlist like any other method. */
export function answerConnect(_request: unknown, socket: Duplex): void {
  endWithError(socket, "404 Not Found", new GatewayError("not_found", NOT_FOUND_MESSAGE));
}
