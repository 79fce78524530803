/**
 * The audit log: one JSON line per request (who, which client, which JSON-RPC method and tool,
 * which session, the outcome, how long, how many bytes). It never holds arguments, results,
 * headers or tokens: only the fields of AuditEntry are ever written. A session appears as a
 * digest of its id, so whoever reads the log can follow a session but cannot use it.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { WriteStream } from "node:fs";
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
  time: string;
  email: string | null;
  clientId: string | null;
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

/** What the audit log shows of a session id: the first 16 hex digits of its SHA-256. */
export function sessionDigest(sessionId: string): string {
  return createHash("sha256").update(sessionId, "utf8").digest("hex").slice(0, SESSION_DIGEST_HEX_CHARS);
}

export function newAuditRecord(): AuditRecord {
  return { email: null, clientId: null, method: null, tool: null, session: null, error: null, bytesIn: 0, decision: null, rule: null };
}

/** Serialises exactly the audit fields, in a fixed order; the policy fields only when set. */
export function formatAuditLine(entry: AuditEntry): string {
  const policy = entry.decision ? { decision: entry.decision, rule: entry.rule ?? null } : undefined;
  return (
    JSON.stringify({
      time: entry.time,
      email: entry.email,
      clientId: entry.clientId,
      httpMethod: entry.httpMethod,
      method: entry.method,
      tool: entry.tool,
      session: entry.session,
      status: entry.status,
      durationMs: entry.durationMs,
      bytesIn: entry.bytesIn,
      bytesOut: entry.bytesOut,
      error: entry.error,
      ...policy,
    }) + "\n"
  );
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
const FLUSH_AT_CHARS = 64 * 1024;

function batched(writeOut: (text: string) => void): { add(line: string): void; flush(): void } {
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const text = pending;
    pending = "";
    writeOut(text);
  };
  return {
    add(line) {
      pending += line;
      if (pending.length >= FLUSH_AT_CHARS) flush();
      else if (!timer) timer = setTimeout(flush, FLUSH_EVERY_MS).unref();
    },
    flush,
  };
}

/** Opens the audit log: appends to `path` (created with mode 0600) or writes to stdout. */
export function openAuditLog(path: string | undefined, sink?: AuditSink): AuditLog {
  if (sink) return { write: (entry) => sink(formatAuditLine(entry)), close: async () => {} };
  if (!path) {
    const out = batched((text) => void process.stdout.write(text));
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
  const out = batched((text) => {
    if (!failure) stream.write(text);
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
