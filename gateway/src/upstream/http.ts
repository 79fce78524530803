/**
 * Relay to a Streamable HTTP MCP server. Forwards only the MCP transport headers (plus the
 * verified email), never the service token, cookies or Authorization; a POST carries the parsed
 * body re-serialized, as `application/json`, with `Mcp-Method`/`Mcp-Name` only once they were found
 * to mirror it. Streams the response back unbuffered over a keep-alive connection pool (http-pool.ts).
 * Sessions are bound to the identity that opened them (http-sessions.ts) and counted per identity;
 * an idle one is forgotten and closed upstream. Unreachable → 502, no response headers within the
 * timeout → 504, an upstream 5xx, 3xx or 401 → 502; none of them leak the upstream's error body.
 */
import { performance } from "node:perf_hooks";
import { MCPBOX_HEADERS, MCP_HEADERS, MCP_TRANSPORT_REQUEST_HEADERS } from "@mcpbox/shared";
import { identityKey } from "../context";
import type { Identity } from "../context";
import { GatewayError } from "../errors";
import type { SessionLedger, SessionSlot } from "../limits/session-ledger";
import type { Logger } from "../logger";
import type { UpstreamReply } from "../reply";
import { ExchangeError, TIMEOUT_CODES, UpstreamPool } from "./http-pool";
import type { Answer } from "./http-pool";
import { HttpSessionTable } from "./http-sessions";
import type { HttpSession } from "./http-sessions";
import { replyOf } from "./types";
import type { RelayRequest, ReplyCallback, Upstream } from "./types";

export interface HttpUpstreamOptions {
  url: URL;
  timeoutMs: number;
  /** Places for sessions, per identity and in total. */
  ledger: SessionLedger;
  /** A session without a request for this long is forgotten and deleted upstream. */
  sessionIdleMs: number;
  log: Logger;
  /** Clock for the idle timer, in ms from any origin (injected in tests; default the monotonic clock). */
  now?: () => number;
}

const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
const USER_EMAIL_HEADER = MCPBOX_HEADERS.userEmail.toLowerCase();
// Mirrors of the body: forwarded on a POST whose body they were checked against, never otherwise.
const BODY_MIRRORS: ReadonlySet<string> = new Set([MCP_HEADERS.method.toLowerCase(), MCP_HEADERS.name.toLowerCase()]);
const POST_HEADERS = MCP_TRANSPORT_REQUEST_HEADERS.map((name) => name.toLowerCase()).filter((name) => name !== "content-type");
const OTHER_HEADERS = POST_HEADERS.filter((name) => !BODY_MIRRORS.has(name));
const SESSION_NOT_FOUND = "Session not found: it was closed, timed out, or belongs to someone else; start a new session";

/** Describes an upstream URL for logs: origin and path, never query or credentials. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Calls `done` once, when the reply's body has ended or was abandoned (or at once without a body). */
function whenFinished(reply: UpstreamReply, done: () => void): void {
  const body = reply.body;
  if (!body || !("once" in body)) return done();
  let called = false;
  body.once("close", () => {
    if (called) return;
    called = true;
    done();
  });
}

/** Builds the relay to a Streamable HTTP upstream at `url`. */
export function createHttpUpstream(options: HttpUpstreamOptions): Upstream {
  const { url, timeoutMs, ledger, sessionIdleMs, log } = options;
  // performance.now(), not Date.now(): only differences are used, and it is cheaper per request.
  const now = options.now ?? (() => performance.now());
  const pool = new UpstreamPool(url, timeoutMs);
  const sessions = new HttpSessionTable(now);

  /** The upstream's answer to `relay`, or the GatewayError that stands for its failure. */
  function forward(relay: RelayRequest, done: ReplyCallback): void {
    const post = relay.method === "POST";
    const fields: string[] = [];
    for (const name of post ? POST_HEADERS : OTHER_HEADERS) {
      const value = relay.header(name);
      if (value !== undefined) fields.push(name, value);
    }
    const body = post ? relay.body?.bytes : undefined;
    if (post) fields.push("content-type", "application/json");
    if (relay.identity.kind === "user") fields.push(USER_EMAIL_HEADER, relay.identity.email);

    const onClientGone = (listener: () => void) => relay.onClientGone(listener);
    pool.exchange({ method: relay.method, fields, body, onClientGone }, answered);
    function answered(error: ExchangeError | undefined, answer?: Answer): void {
      if (error || !answer) return done(exchangeFailure(relay, error));
      const status = answer.status;
      if (status >= 500 || status === 401 || (status >= 300 && status < 400)) {
        answer.body.resume();
        const why = status === 401 ? "demanded authentication the gateway does not forward" : "failed";
        log.warn(`upstream answered HTTP ${status} to ${relay.method}`);
        return done(new GatewayError("upstream_failed", `Upstream error: the MCP server ${why} (HTTP ${status})`));
      }
      done(undefined, { status, headers: answer.headers, body: answer.body });
    }
  }

  function exchangeFailure(relay: RelayRequest, error: ExchangeError | undefined): GatewayError {
    const reason = causeCode(error);
    if (reason === TIMEOUT_CODES.headers) {
      return new GatewayError("upstream_timeout", `Upstream timeout: the MCP server did not answer within ${timeoutMs} ms`, {
        cause: error,
      });
    }
    if (reason !== "CLIENT_GONE") log.warn(`upstream ${relay.method} failed: ${reason}`);
    return new GatewayError("upstream_unreachable", `Upstream unreachable: the gateway could not reach the MCP server (${reason})`, {
      cause: error,
    });
  }

  /** A request in an existing session: its owner only; the session ends with a DELETE or an upstream 404. */
  function inSession(relay: RelayRequest, session: HttpSession, done: ReplyCallback): void {
    session.inFlight++;
    session.lastUsed = now();
    forward(relay, (error, reply) => {
      if (error || !reply) {
        session.inFlight--;
        return done(error);
      }
      // 404: the upstream no longer knows the session (MCP: the client must start a new one).
      if (reply.status === 404 || (relay.method === "DELETE" && reply.status >= 200 && reply.status < 300)) sessions.forget(session);
      whenFinished(reply, () => {
        session.inFlight--;
        session.lastUsed = now();
      });
      done(undefined, reply);
    });
  }

  /**
   * A POST outside a session. Only an `initialize` opens one (MCP Streamable HTTP, Session
   * Management): it holds a place (`slot`, taken by relay()) until its answer shows whether the
   * upstream created a session, which is then bound to the caller. A session id on any other
   * answer is not passed on, as the gateway would not honour it.
   */
  function outsideSession(relay: RelayRequest, slot: SessionSlot | undefined, done: ReplyCallback): void {
    forward(relay, (error, reply) => {
      if (error || !reply) {
        slot?.release();
        return done(error);
      }
      const born = reply.headers[SESSION_HEADER];
      if (!slot || born === undefined || reply.status >= 300) {
        slot?.release();
        delete reply.headers[SESSION_HEADER];
        return done(undefined, reply);
      }
      const email = relay.identity.kind === "user" ? relay.identity.email : null;
      if (!sessions.bind(born, slot, email)) {
        slot.release();
        if (reply.body && "destroy" in reply.body) reply.body.destroy();
        log.warn("the upstream handed out a session id that belongs to another live session");
        return done(new GatewayError("upstream_failed", "Upstream error: the MCP server handed out a session id that is already in use"));
      }
      done(undefined, reply);
    });
  }

  /** The caller's own session `id`; anything else is answered like an unknown id. */
  function sessionOf(id: string, identity: Identity): HttpSession {
    const session = sessions.find(id, identityKey(identity));
    if (!session) throw new GatewayError("session_not_found", SESSION_NOT_FOUND);
    return session;
  }

  /** Routes `request` by its session and calls `done` once, with the reply or the error. */
  function relay(request: RelayRequest, done: ReplyCallback): void {
    const post = request.method === "POST";
    let session: HttpSession | undefined;
    let slot: SessionSlot | undefined;
    try {
      const sessionId = request.header(SESSION_HEADER);
      if (sessionId !== undefined) session = sessionOf(sessionId, request.identity);
      // An initialize holds a place (GatewayError when the caller has none left) until its answer.
      else if (post && request.body?.messages.some((m) => m.kind === "request" && m.method === "initialize"))
        slot = ledger.reserve(identityKey(request.identity), evictIdle);
    } catch (error) {
      return done(error);
    }
    if (session) inSession(request, session, done);
    else if (post) outsideSession(request, slot, done);
    else forward(request, done);
  }

  /** Ends a session upstream on its owner's behalf (best effort: it was idle, nobody waits). */
  function closeUpstream(session: HttpSession): void {
    const fields = [SESSION_HEADER, session.id];
    if (session.ownerEmail !== null) fields.push(USER_EMAIL_HEADER, session.ownerEmail);
    pool.exchange({ method: "DELETE", fields, onClientGone: () => undefined }, (error, answer) => {
      if (answer) answer.body.resume();
      else log.warn(`closing an idle upstream session failed: ${causeCode(error)}`);
    });
  }

  /** Makes room for an identity at its allowance: its least recently used idle session goes. */
  function evictIdle(owner: string | null): boolean {
    const session = sessions.leastRecentlyUsedIdle(owner);
    if (!session) return false;
    log.info("closing a user's least recently used idle session to make room for a new one");
    sessions.forget(session);
    closeUpstream(session);
    return true;
  }

  // Idle sweep: cheaper than re-arming a timer on every request.
  const sweeper = setInterval(
    () => {
      for (const session of sessions.idleSince(now() - sessionIdleMs)) {
        sessions.forget(session);
        closeUpstream(session);
      }
    },
    Math.min(30_000, Math.max(50, Math.floor(sessionIdleMs / 4))),
  );
  sweeper.unref();

  return {
    description: `Streamable HTTP ${describeUrl(url)}`,
    assertSession: (id, identity) => void sessionOf(id, identity),
    relay,
    handle: (request) => replyOf(relay, request),
    close: async () => {
      clearInterval(sweeper);
      await pool.close();
    },
  };
}

/** A short, secret-free reason for a failed request (e.g. ECONNREFUSED). */
function causeCode(error: unknown): string {
  if (error instanceof ExchangeError) return error.code;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : "unknown error";
}
