/**
 * Places for MCP sessions, counted in total (`GATEWAY_MAX_SESSIONS`) and per identity
 * (`GATEWAY_MAX_SESSIONS_PER_USER`; callers without an email share one allowance), so that one
 * caller cannot take every session the gateway can hold. Both relays take a place before a
 * session can come into being and give it back when the session ends.
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

  /** Takes a place for `owner`. Throws GatewayError (503 when the gateway is full, 429 when the owner is). */
  reserve(owner: string | null): SessionSlot {
    const { maxSessions, maxSessionsPerUser } = this.limits;
    if (this.total >= maxSessions) {
      throw new GatewayError("too_many_sessions", `Too many MCP sessions: this gateway runs at most ${maxSessions} at once (${GATEWAY_ENV.maxSessions}); close one and retry`);
    }
    const mine = this.byOwner.get(owner) ?? 0;
    if (mine >= maxSessionsPerUser) {
      throw new GatewayError(
        "too_many_user_sessions",
        `Too many MCP sessions for ${describeIdentity(owner)}: at most ${maxSessionsPerUser} at once per user (${GATEWAY_ENV.maxSessionsPerUser}); close one and retry`,
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
