/**
 * Places for MCP sessions, counted in total (`GATEWAY_MAX_SESSIONS`) and per identity
 * (`GATEWAY_MAX_SESSIONS_PER_USER`; callers without an email share one allowance), so that one
 * caller cannot take every session the gateway can hold. Both relays take a place before a
 * session can come into being and give it back when the session ends. An identity at its
 * allowance first gives up its own least recently used idle session (clients often leave
 * sessions behind without a DELETE); only when all of its sessions are busy is it refused.
 */
import { GATEWAY_ENV } from "@mcpbox/shared";
import { describeIdentity } from "../context";
import { GatewayError } from "../errors";

/** One reserved place; `release` is idempotent. */
export interface SessionSlot {
  /** The identity key (lower-cased email, or null) the place is counted against. */
  readonly owner: string | null;
  release(): void;
}

export interface SessionLimits {
  readonly maxSessions: number;
  readonly maxSessionsPerUser: number;
}

export class SessionLedger {
  private total = 0;
  private readonly byOwner = new Map<string | null, number>();

  constructor(private readonly limits: SessionLimits) {}

  /** Places taken, in total or by one owner. */
  count(owner?: string | null): number {
    return owner === undefined ? this.total : (this.byOwner.get(owner) ?? 0);
  }

  /**
   * Takes a place for `owner`. When the owner is at its allowance, `evictIdle` may end one of the
   * owner's own idle sessions, releasing its place, and report whether it did. Throws
   * GatewayError: 429 when the owner's sessions are all busy, 503 when the gateway is full.
   */
  reserve(owner: string | null, evictIdle: (owner: string | null) => boolean = () => false): SessionSlot {
    const { maxSessions, maxSessionsPerUser } = this.limits;
    if ((this.byOwner.get(owner) ?? 0) >= maxSessionsPerUser) evictIdle(owner);
    const mine = this.byOwner.get(owner) ?? 0;
    if (this.total >= maxSessions) {
      throw new GatewayError(
        "too_many_sessions",
        `Too many MCP sessions: this gateway runs at most ${maxSessions} at once (${GATEWAY_ENV.maxSessions}); close one and retry`,
      );
    }
    if (mine >= maxSessionsPerUser) {
      throw new GatewayError(
        "too_many_user_sessions",
        `Too many MCP sessions for ${describeIdentity(owner)}: at most ${maxSessionsPerUser} at once per user (${GATEWAY_ENV.maxSessionsPerUser}), and all of them are busy; retry when one is done`,
      );
    }
    this.total++;
    this.byOwner.set(owner, mine + 1);
    let held = true;
    return {
      owner,
      release: () => {
        if (!held) return;
        held = false;
        this.total--;
        const left = (this.byOwner.get(owner) ?? 1) - 1;
        if (left === 0) this.byOwner.delete(owner);
        else this.byOwner.set(owner, left);
      },
    };
  }
}
