/**
 * Request bodies read with a byte cap, counted on the bytes actually received (a chunked body
 * without `Content-Length` cannot slip past), so a huge form never reaches a parser or memory.
 * Beyond the cap the answer is 413 (RFC 9110 §15.5.14).
 */
import { WorkerError } from "./errors";

/** Caps per endpoint, in bytes. Real requests are far smaller; see docs/decisions.md. */
export const BODY_LIMITS = {
  /** A code exchange or refresh: code, verifier, redirect URI, resource, client credentials. */
  token: 8 * 1024,
  /** A revocation: one token and the client's credentials. */
  revoke: 4 * 1024,
  /** The consent form: handle, CSRF token, client id, decision. */
  consent: 4 * 1024,
  /** Client registration metadata (RFC 7591), JSON. */
  register: 8 * 1024,
} as const;

/** The body as bytes, or a 413 WorkerError once more than `maxBytes` were declared or received. */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await request.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A copy of `request` whose body is `bytes` (already read and checked). */
function withBody(request: Request, bytes: Uint8Array): Request {
  const headers = new Headers(request.headers);
  headers.delete("Content-Length");
  headers.delete("Transfer-Encoding");
  return new Request(request.url, { method: request.method, headers, body: bytes.byteLength > 0 ? bytes : null });
}

/** Reads `request` under `maxBytes` and returns an equivalent request holding the bytes in memory. */
export async function bufferedRequest(request: Request, maxBytes: number): Promise<{ request: Request; bytes: Uint8Array }> {
  const bytes = await readBodyWithLimit(request, maxBytes);
  return { request: withBody(request, bytes), bytes };
}

function tooLarge(maxBytes: number): WorkerError {
  return new WorkerError("body_too_large", `The request body is larger than this address accepts (${maxBytes} bytes).`, {
    hint: "Send a smaller request; OAuth requests are a few hundred bytes.",
  });
}
