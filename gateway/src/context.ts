/**
 * The Hono environment of the gateway app: the Node request/response it runs on, the audit record
 * of the request, and what the middleware learned (identity, parsed body) for the relay.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditRecord } from "./audit";
import type { ParsedBody } from "./jsonrpc-body";
import type { UpstreamReply } from "./reply";

/** Who is calling: a verified email, or nobody (the identity provider gave no email). */
export type Identity = { readonly kind: "user"; readonly email: string } | { readonly kind: "anonymous" };

export interface GatewayBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  audit: AuditRecord;
}

export interface GatewayVariables {
  identity: Identity;
  /** Raw POST body as received (relayed byte for byte to an HTTP upstream). */
  bodyBytes: Uint8Array;
  body: ParsedBody;
  /** Set by the tool policy when this request's reply must be rewritten before it is sent. */
  editReply: ((reply: UpstreamReply) => Promise<UpstreamReply>) | undefined;
}

export interface GatewayEnv {
  Bindings: GatewayBindings;
  Variables: GatewayVariables;
}
