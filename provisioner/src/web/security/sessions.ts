/**
 * Who may use the wizard: whoever opened the one-time launch link printed in the terminal. The
 * link's secret is redeemed once for a session, kept in an HttpOnly, SameSite=Strict cookie; each
 * session has its own CSRF token. Sessions (and the API token a session holds) live in memory only.
 */
import { randomBytes } from "node:crypto";
import type { AccountChecks } from "../../commands/setup";
import type { ChecklistItem } from "../../token-checklist";
import { secretsEqual } from "./guard";

export const SESSION_COOKIE = "mcpbox_wizard";
export const LAUNCH_PARAM = "launch";
export const CSRF_FIELD = "csrf";

export interface Session {
  readonly id: string;
  readonly csrf: string;
  /** The Cloudflare API token, for this process's lifetime only. */
  apiToken?: string;
  /** What step 1 found in this session (the wizard asks for the token again after a restart). */
  verified?: AccountChecks;
  /** Step 1's checklist from the last verify. */
  checklist?: ChecklistItem[];
}

export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export class SessionStore {
  private launchSecret: string | undefined;
  private readonly sessions = new Map<string, Session>();

  constructor(launchSecret: string) {
    this.launchSecret = launchSecret;
  }

  /** Trades the launch secret for a new session, once. */
  redeem(secret: string): Session | undefined {
    if (this.launchSecret === undefined || !secretsEqual(secret, this.launchSecret)) return undefined;
    this.launchSecret = undefined;
    const session: Session = { id: newSecret(), csrf: newSecret() };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    for (const session of this.sessions.values()) if (secretsEqual(id, session.id)) return session;
    return undefined;
  }
}

/**
 * The Set-Cookie value for a session: HttpOnly (scripts cannot read it, RFC 6265 §4.1.2.6),
 * SameSite=Strict (no cross-site request carries it, RFC 6265bis §4.1.2.7), the whole site, and
 * no Expires (it ends with the browser session; the server forgets it on restart anyway).
 */
export function sessionCookie(session: Session): string {
  return `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict`;
}
