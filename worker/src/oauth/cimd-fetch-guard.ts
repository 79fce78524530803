/**
 * Outbound fetches of the OAuth library, made safe where the library cannot be configured:
 * a Client ID Metadata Document is fetched without following redirects (a redirect would let an
 * open redirect on a trusted host serve an attacker's document under that host's client id), and
 * one document is fetched once per request (the library looks a client up several times per
 * request, and its Cache API copy is skipped for `no-store` documents). The library's own 5 KiB
 * and 10 s limits still apply to what it reads. Upstream report: docs/decisions.md.
 */
import { logEvent } from "../http/log";

/** The library marks its outbound requests with this User-Agent prefix. */
const LIBRARY_AGENT_PREFIX = "workers-oauth-provider/";
/** A validated document is reused this long: the consent page and its POST are separate requests. */
const CIMD_MEMO_MS = 10_000;
/** One byte over the library's CIMD limit, so it still sees (and refuses) an oversized body. */
const READ_LIMIT_BYTES = 5 * 1024 + 1;
const MAX_MEMO_ENTRIES = 64;

type Fetch = typeof fetch;
interface Memo {
  expiresAt: number;
  result: Promise<{ status: number; headers: Headers; bytes: Uint8Array }>;
}

const GUARD = Symbol.for("mcpbox.libraryFetchGuard");

/** A fetch that applies the guard to the library's GET requests and passes everything else to `next`. */
export function guardLibraryFetch(next: Fetch, now: () => number = Date.now): Fetch {
  const memos = new Map<string, Memo>();
  const guarded = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // Look before building a Request: that would consume the body of a request that is not ours.
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const agent = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get("User-Agent") ?? "";
    if (method !== "GET" || !agent.startsWith(LIBRARY_AGENT_PREFIX)) return next(input, init);
    const request = new Request(input, init);
    const memo = memos.get(request.url);
    if (memo && memo.expiresAt > now()) {
      const cached = await memo.result;
      return new Response(cached.bytes, { status: cached.status, headers: cached.headers });
    }
    const response = await next(new Request(request, { redirect: "manual" }));
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      logEvent("warn", "library_fetch_redirect_refused", { host: new URL(request.url).host, status: response.status });
      return new Response(null, { status: response.status });
    }
    if (response.status !== 200) return response;
    const bytes = await readCapped(response);
    const headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    if (bytes.byteLength < READ_LIMIT_BYTES) {
      if (memos.size >= MAX_MEMO_ENTRIES) memos.clear();
      memos.set(request.url, { expiresAt: now() + CIMD_MEMO_MS, result: Promise.resolve({ status: 200, headers, bytes }) });
    }
    return new Response(bytes, { status: 200, headers });
  };
  return Object.assign(guarded, { [GUARD]: true });
}

/** Puts the guard in front of the global `fetch` once per isolate (the library calls the global). */
export function installLibraryFetchGuard(): void {
  if (isLibraryFetchGuard(globalThis.fetch)) return;
  globalThis.fetch = guardLibraryFetch(globalThis.fetch.bind(globalThis));
}

/** Whether `value` is a fetch made by guardLibraryFetch. */
export function isLibraryFetchGuard(value: unknown): boolean {
  return typeof value === "function" && GUARD in value;
}

async function readCapped(response: Response): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < READ_LIMIT_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (total >= READ_LIMIT_BYTES) await reader.cancel();
  const bytes = new Uint8Array(Math.min(total, READ_LIMIT_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.byteLength - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
