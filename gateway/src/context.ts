/**
 * The Hono environment of the gateway app: the Node request/response it runs on, the audit record
 * of the request, and what the middleware learned (identity, parsed body) for the relay.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditRecord } from "./audit";
import type { McpBody } from "./jsonrpc/message";
import type { UpstreamReply } from "./reply";

/** Who is calling: a verified email, or nobody (the identity provider gave no email). */
export type Identity = { readonly kind: "user"; readonly email: string } | { readonly kind: "anonymous" };

/**
 * The key limits and session ownership use: the lower-cased email, or null for every caller
 * without one (they share one allowance and may use each other's sessions, as they are alike).
 */
export function identityKey(identity: Identity): string | null {
  return identity.kind === "user" ? identity.email.toLowerCase() : null;
}

/** How messages name an identity's allowance. */
export function describeIdentity(key: string | null): string {
  return key ?? "callers without an email";
}

export interface GatewayBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  audit: AuditRecord;
}

export interface GatewayVariables {
  identity: Identity;
  /**
   * A POST's body, parsed once: what every later check reads and what is relayed. The tool policy
   * may replace it with the messages it let through (a new McpBody, re-serialized in turn).
   */
  body: McpBody;
  /** Set by the tool policy when this request's reply must be rewritten before it is sent. */
  editReply: ((reply: UpstreamReply) => Promise<UpstreamReply>) | undefined;
}

export interface GatewayEnv {
  Bindings: GatewayBindings;
  Variables: GatewayVariables;
}
