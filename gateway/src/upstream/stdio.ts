/**
 * Relay to a stdio MCP server: `MCP_UPSTREAM_COMMAND` is spawned once per MCP session, and each
 * session answers Streamable HTTP itself (stdio-session.ts), passing messages through. Limits:
 * at most `GATEWAY_MAX_SESSIONS` children and `GATEWAY_MAX_SESSIONS_PER_USER` per identity, idle
 * sessions closed after `GATEWAY_SESSION_IDLE_MS`, children killed on DELETE, idle, crash and
 * shutdown. A session belongs to the email that opened it: a session id is not a credential, so
 * another user presenting it gets "session not found".
 *
 * Sessionless clients (protocol revision 2026-07-28: no Mcp-Session-Id, no initialize): a POST
 * without a session id whose body is not `initialize` gets a child of its own that lives for that
 * POST only. The message is relayed as is and the child is ended once every request in the POST
 * is answered. A 2026-07-28 stdio server answers it directly; a 2025-era server answers
 * `server/discover` with "method not found", which sends version-negotiating clients back to
 * `initialize` and a normal session. Each such POST costs one process start and counts toward
 * the session limits while it runs. A POST of notifications (or responses) only has nothing for a
 * fresh child to answer: it is acknowledged with 202 and starts no process.
 */
import { MCP_HEADERS } from "@mcpbox/shared";
import { identityKey } from "../context";
import { GatewayError } from "../errors";
import type { SessionLedger, SessionSlot } from "../limits/session-ledger";
import type { Logger } from "../logger";
import type { UpstreamReply } from "../reply";
import { StdioSession } from "./stdio-session";
import type { RelayRequest, Upstream } from "./types";

export interface StdioUpstreamOptions {
  command: string;
  args: readonly string[];
  /** Places for sessions (one child each), per identity and in total. */
  ledger: SessionLedger;
  sessionIdleMs: number;
  log: Logger;
  /** Clock for the idle timer (injected in tests). */
  now?: () => number;
}

export interface StdioUpstream extends Upstream {
  /** Live sessions and their child process ids (diagnostics and tests). */
  sessions(): { id: string | undefined; pid: number | null }[];
}

const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();

export function createStdioUpstream(options: StdioUpstreamOptions): StdioUpstream {
  const { log, ledger, sessionIdleMs } = options;
  const now = options.now ?? Date.now;
  const live = new Set<StdioSession>();
  const slots = new Map<StdioSession, SessionSlot>();
  const byId = new Map<string, StdioSession>();
  let closed = false;

  // Idle sweep: cheaper than re-arming a timer on every message.
  const sweepEveryMs = Math.min(30_000, Math.max(50, Math.floor(sessionIdleMs / 4)));
  const sweeper = setInterval(() => {
    const limit = now() - sessionIdleMs;
    for (const session of live) {
      if (!session.stateless && !session.busy && !session.isClosing && session.lastActivity <= limit) {
        log.info(`closing idle MCP session ${session.id ?? "?"} (child ${session.pid ?? "?"})`);
        void session.close("idle");
      }
    }
  }, sweepEveryMs);
  sweeper.unref();

  /** Makes room for an identity at its allowance: its least recently used idle session ends. */
  function evictIdle(owner: string | null): boolean {
    let oldest: StdioSession | undefined;
    for (const session of live) {
      if (session.owner !== owner || session.stateless || session.busy || session.isClosing) continue;
      if (!oldest || session.lastActivity < oldest.lastActivity) oldest = session;
    }
    if (!oldest) return false;
    log.info(`closing MCP session ${oldest.id ?? "?"} (child ${oldest.pid ?? "?"}), its user's least recently used idle one, to make room`);
    // Its place is free from now on: the session takes no more requests while its child exits.
    slots.get(oldest)?.release();
    void oldest.close("evicted");
    return true;
  }

  async function spawn(stateless: boolean, owner: string | null): Promise<StdioSession> {
    if (closed) throw new GatewayError("shutting_down", "The gateway is shutting down; retry shortly");
    const slot = ledger.reserve(owner, evictIdle);
    let session: StdioSession;
    try {
      session = await StdioSession.start({
        owner,
        command: options.command,
        args: options.args,
        stateless,
        log,
        now,
        onSessionId: (s, id) => byId.set(id, s),
        onClosed: (s) => {
          live.delete(s);
          slots.delete(s);
          slot.release();
          if (s.id !== undefined && byId.get(s.id) === s) byId.delete(s.id);
        },
      });
    } catch (error) {
      slot.release();
      throw error;
    }
    live.add(session);
    slots.set(session, slot);
    return session;
  }

  /** The caller's own live session `id`; a session id is not a credential, so another user's is not found. */
  function sessionOf(id: string, owner: string | null): StdioSession {
    const session = byId.get(id);
    if (!session || session.isClosing || session.owner !== owner) {
      throw new GatewayError(
        "session_not_found",
        "Session not found: it was closed, timed out, or its MCP server process exited; start a new session",
      );
    }
    return session;
  }

  async function handle(relay: RelayRequest): Promise<UpstreamReply> {
    const sessionId = relay.header(SESSION_HEADER);
    const owner = identityKey(relay.identity);
    if (sessionId !== undefined) {
      const session = sessionOf(sessionId, owner);
      const reply = session.handle(relay);
      // DELETE answers once the child process is really gone.
      if (relay.method === "DELETE" && reply.status === 200) await session.close("deleted");
      return reply;
    }
    if (relay.method !== "POST") {
      throw new GatewayError("session_required", `Bad request: ${relay.method} needs an ${MCP_HEADERS.sessionId} header`);
    }
    const messages = relay.body?.messages ?? [];
    // Nothing in the body expects an answer, and no session exists to deliver it to.
    if (!relay.body?.hasRequests) return { status: 202, headers: {}, body: null };
    if (messages.length === 1 && messages[0]?.method === "initialize") {
      const session = await spawn(false, owner);
      const reply = session.handle(relay);
      if (session.id === undefined) void session.close("finished");
      return reply;
    }
    return handleSessionless(relay, owner);
  }

  async function handleSessionless(relay: RelayRequest, owner: string | null): Promise<UpstreamReply> {
    const session = await spawn(true, owner);
    relay.onClientGone(() => void session.close("client-gone"));
    const reply = session.handle(relay);
    if (!session.busy) void session.close("finished");
    return reply;
  }

  return {
    description: `stdio command "${options.command}"`,
    assertSession: (id, identity) => void sessionOf(id, identityKey(identity)),
    handle,
    sessions: () => [...live].map((s) => ({ id: s.id, pid: s.pid })),
    async close() {
      closed = true;
      clearInterval(sweeper);
      await Promise.all([...live].map((s) => s.close("shutdown")));
    },
  };
}
