/**
 * Sessions of a Streamable HTTP upstream, as the gateway saw them born: each id is bound to the
 * identity whose request received it (the upstream's `Mcp-Session-Id` response header). A session
 * id is not a credential: only its owner may use it; anyone else, or an id the gateway never
 * handed out, gets 404 like an expired session (MCP Streamable HTTP, Session Management), and
 * nothing reaches the upstream. Each session holds a place in the SessionLedger until it ends.
 */
import type { SessionSlot } from "../limits/session-ledger";

export interface HttpSession {
  readonly id: string;
  /** Identity key of the owner (lower-cased email, or null). */
  readonly owner: string | null;
  /** The owner's email as the Worker sent it, for requests the gateway makes on its behalf. */
  readonly ownerEmail: string | null;
  lastUsed: number;
  /** Requests of this session still running (their responses, streams included, not ended). */
  inFlight: number;
}

interface Entry {
  session: HttpSession;
  slot: SessionSlot;
}

export class HttpSessionTable {
  private readonly byId = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.byId.size;
  }

  /** The session `id` if `owner` opened it; otherwise undefined, exactly as for an unknown id. */
  find(id: string, owner: string | null): HttpSession | undefined {
    const entry = this.byId.get(id);
    return entry && entry.session.owner === owner ? entry.session : undefined;
  }

  /**
   * Binds a session the upstream just created to the owner of `slot`, which it keeps until it is
   * forgotten. False (and the slot untouched) when the id already belongs to a session.
   */
  bind(id: string, slot: SessionSlot, ownerEmail: string | null): boolean {
    if (this.byId.has(id)) return false;
    this.byId.set(id, { session: { id, owner: slot.owner, ownerEmail, lastUsed: this.now(), inFlight: 0 }, slot });
    return true;
  }

  /** Drops a session (deleted, expired upstream, or idle) and frees its place. */
  forget(session: HttpSession): void {
    const entry = this.byId.get(session.id);
    if (entry?.session !== session) return;
    this.byId.delete(session.id);
    entry.slot.release();
  }

  /** The least recently used session of `owner` with nothing in flight, if any. */
  leastRecentlyUsedIdle(owner: string | null): HttpSession | undefined {
    let oldest: HttpSession | undefined;
    for (const { session } of this.byId.values()) {
      if (session.owner === owner && session.inFlight === 0 && (!oldest || session.lastUsed < oldest.lastUsed)) oldest = session;
    }
    return oldest;
  }

  /** Sessions with nothing in flight whose last request ended at or before `limit`. */
  idleSince(limit: number): HttpSession[] {
    const idle: HttpSession[] = [];
    for (const { session } of this.byId.values()) if (session.inFlight === 0 && session.lastUsed <= limit) idle.push(session);
    return idle;
  }
}
