/**
 * The audit log: one JSON line per request (who, which client, which JSON-RPC method and tool,
 * which session, the outcome, how long, how many bytes). It never holds arguments, results,
 * headers or tokens: only the fields of AuditEntry are ever written. A session appears as a
 * digest of its id, so whoever reads the log can follow a session but cannot use it.
 */
import { hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { WriteStream } from "node:fs";
import { performance } from "node:perf_hooks";
import type { GatewayErrorCode } from "./errors";

/** Filled in by the middleware as a request is understood; written when the response ends. */
export interface AuditRecord {
  /** Verified email (only after the service token matched). */
  email: string | null;
  /** `X-MCPbox-Client-Id` (only after the service token matched). */
  clientId: string | null;
  /** JSON-RPC method; the methods of a batch joined with ",". */
  method: string | null;
  /** Tool name(s) of `tools/call`. */
  tool: string | null;
  session: string | null;
  /** The gateway's own refusal or failure, if any. */
  error: GatewayErrorCode | null;
  bytesIn: number;
  /** What the tool policy did, when it refused, filtered or rate-limited something. */
  decision: PolicyDecision | null;
  /** The policy rule(s) behind `decision`, joined with ",". */
  rule: string | null;
}

/** Policy outcomes the audit log records (allowed calls carry none). */
export type PolicyDecision = "refused" | "filtered" | "rate_limited";

export interface AuditEntry {
  /** ISO 8601, UTC, to the millisecond (isoTime). */
  time: string;
  email: string | null;
  clientId: string | null;
  /** As Node's HTTP parser read it: a method token (RFC 9110 §9.1), so no quote, backslash or control character. */
  httpMethod: string;
  method: string | null;
  tool: string | null;
  /** `sessionDigest` of the Mcp-Session-Id, never the id itself. */
  session: string | null;
  status: number;
  durationMs: number;
  bytesIn: number;
  /** Bytes written to the client, response headers included. */
  bytesOut: number;
  error: GatewayErrorCode | null;
  /** Present only on lines where a tool policy refused, filtered or rate-limited. */
  decision?: PolicyDecision | null;
  rule?: string | null;
}

// 64 bits of SHA-256: enough to tell a log's sessions apart, useless as a session id.
const SESSION_DIGEST_HEX_CHARS = 16;

// A session's digest is computed once, not on every request of the session; the cache is
// bounded (and simply starts over when full: digests are cheap to compute again).
const MAX_CACHED_DIGESTS = 4096;
const digests = new Map<string, string>();

/** What the audit log shows of a session id: the first 16 hex digits of its SHA-256. */
export function sessionDigest(sessionId: string): string {
  let digest = digests.get(sessionId);
  if (digest === undefined) {
    digest = hash("sha256", sessionId, "hex").slice(0, SESSION_DIGEST_HEX_CHARS);
    if (digests.size >= MAX_CACHED_DIGESTS) digests.clear();
    digests.set(sessionId, digest);
  }
  return digest;
}

// Date.now() costs a call into V8's runtime from optimized code; performance.now() does not. The
// wall clock is read at most once a second and carried forward on the monotonic clock between.
let wallOffset = Date.now() - performance.now();
let wallSynced = performance.now();

/** The wall-clock time, in whole ms, of a `performance.now()` reading taken just now. */
export function wallTimeAt(monotonic: number): number {
  if (monotonic - wallSynced >= 1000 || monotonic < wallSynced) {
    wallSynced = performance.now();
    wallOffset = Date.now() - wallSynced;
  }
  return Math.floor(wallOffset + monotonic);
}

let isoSecond = Number.NaN;
let isoPrefix = "";

/** `new Date(ms).toISOString()`, formatting the date and time once per second. */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return `${isoPrefix}${String(ms - second * 1000).padStart(3, "0")}Z`;
}

export function newAuditRecord(): AuditRecord {
  return { email: null, clientId: null, method: null, tool: null, session: null, error: null, bytesIn: 0, decision: null, rule: null };
}

/** True when JSON.stringify writes `text` as it is between quotes: printable ASCII without '"' and '\\'. */
function plainJsonString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * `String(ms)` for a duration rounded to hundredths, from integers: `String` of a fraction runs
 * V8's shortest-decimal search. The hundredths `h` give the same text: `ms` is the double nearest
 * to h/100, and no shorter decimal is that near while h/100 is far below 2^53 (kept under 10^12,
 * some thirty years). Anything else takes `String`.
 */
function durationField(ms: number): string {
  const hundredths = Math.round(ms * 100);
  if (!(hundredths >= 0 && hundredths < 1e12 && hundredths / 100 === ms)) return jsonField(ms);
  const whole = Math.floor(hundredths / 100);
  const fraction = hundredths - whole * 100;
  if (fraction === 0) return String(whole);
  return fraction % 10 === 0 ? `${whole}.${fraction / 10}` : `${whole}.${fraction < 10 ? "0" : ""}${fraction}`;
}

/** `JSON.stringify(value)` for the audit's field types, without the generic serializer's cost on plain strings. */
function jsonField(value: string | number | null): string {
  if (value === null) return "null";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  return plainJsonString(value) ? `"${value}"` : JSON.stringify(value);
}

/** A field the gateway makes itself, from characters JSON.stringify writes as they are (see AuditEntry). */
function tokenField(value: string | null): string {
  return value === null ? "null" : `"${value}"`;
}

/**
 * Serialises exactly the audit fields, in a fixed order; the policy fields only when set. The line
 * is what `JSON.stringify` makes of them (audit.test.ts compares the two), assembled field by field:
 * the generic serializer was the largest single cost of the per-request log (docs/decisions.md).
 * What a client sends is checked character by character; what the gateway made itself (the time,
 * the HTTP method token, the session digest, the error code, the policy's decision) is not.
 */
export function formatAuditLine(entry: AuditEntry): string {
  let line =
    `{"time":${tokenField(entry.time)},"email":${jsonField(entry.email)},"clientId":${jsonField(entry.clientId)}` +
    `,"httpMethod":${tokenField(entry.httpMethod)},"method":${jsonField(entry.method)},"tool":${jsonField(entry.tool)}` +
    `,"session":${tokenField(entry.session)},"status":${jsonField(entry.status)},"durationMs":${durationField(entry.durationMs)}` +
    `,"bytesIn":${jsonField(entry.bytesIn)},"bytesOut":${jsonField(entry.bytesOut)},"error":${tokenField(entry.error)}`;
  if (entry.decision) line += `,"decision":${tokenField(entry.decision)},"rule":${jsonField(entry.rule ?? null)}`;
  return `${line}}\n`;
}

export interface AuditLog {
  write(entry: AuditEntry): void;
  close(): Promise<void>;
}

/** A sink receiving finished lines (tests and embedders); the default is a file or stdout. */
export type AuditSink = (line: string) => void;

// Lines are gathered for at most this long and written together: one write per batch instead of
// one per request keeps the log off the hot path. close() (graceful shutdown) flushes the rest.
const FLUSH_EVERY_MS = 50;
const BATCH_BYTES = 64 * 1024;

/**
 * Each line is copied into a batch buffer at once, outside the JavaScript heap: no string waits
 * there for the next write, so none lives long enough for the garbage collector to move it.
 */
function batched(writeOut: (bytes: Buffer) => void): { add(line: string): void; flush(): void } {
  let batch = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (used === 0) return;
    const bytes = batch.subarray(0, used);
    batch = Buffer.allocUnsafe(BATCH_BYTES);
    used = 0;
    writeOut(bytes);
  };
  return {
    add(line) {
      // A UTF-16 code unit takes at most 3 bytes in UTF-8: most lines need no exact count.
      if (used + line.length * 3 > BATCH_BYTES) {
        const size = Buffer.byteLength(line);
        if (used + size > BATCH_BYTES) flush();
        if (size > BATCH_BYTES) return writeOut(Buffer.from(line));
      }
      used += batch.write(line, used);
      if (!timer) timer = setTimeout(flush, FLUSH_EVERY_MS).unref();
    },
    flush,
  };
}

/** Opens the audit log: appends to `path` (created with mode 0600) or writes to stdout. */
export function openAuditLog(path: string | undefined, sink?: AuditSink): AuditLog {
  if (sink) return { write: (entry) => sink(formatAuditLine(entry)), close: async () => {} };
  if (!path) {
    const out = batched((bytes) => void process.stdout.write(bytes));
    return {
      write: (entry) => out.add(formatAuditLine(entry)),
      close: async () => out.flush(),
    };
  }
  const stream: WriteStream = createWriteStream(path, { flags: "a", mode: 0o600 });
  let failure: Error | undefined;
  stream.on("error", (error) => {
    failure = error;
    process.stderr.write(`mcpbox gateway: cannot write the audit log ${path}: ${error.message}\n`);
  });
  const out = batched((bytes) => {
    if (!failure) stream.write(bytes);
  });
  return {
    write: (entry) => out.add(formatAuditLine(entry)),
    close: () =>
      new Promise<void>((resolve) => {
        out.flush();
        if (failure || stream.destroyed) return resolve();
        stream.end(() => resolve());
      }),
  };
}
