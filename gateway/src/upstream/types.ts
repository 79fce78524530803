/**
 * The contract between the gateway app and an upstream relay (Streamable HTTP or stdio): one
 * authorized MCP request in, one streaming reply out.
 */
import type { McpHttpMethod } from "@mcpbox/shared";
import type { Identity } from "../context";
import type { McpBody } from "../jsonrpc/message";
import type { UpstreamReply } from "../reply";

export interface RelayRequest {
  readonly method: McpHttpMethod;
  /** A header of the client's request, by lower-case name. */
  header(name: string): string | undefined;
  /** POST only: the parsed body; its `bytes` are what an HTTP upstream receives. */
  readonly body?: McpBody;
  readonly identity: Identity;
  /** Calls `listener` once if the client goes away before its reply has ended. */
  onClientGone(listener: () => void): void;
}

export interface Upstream {
  /** For the ready line and logs; never holds secrets. */
  readonly description: string;
  /**
   * Throws GatewayError `session_not_found` (404) unless `sessionId` names a live session that
   * `identity` opened. The app asks before the tool policy, so a foreign or stale session id is
   * answered 404 before any policy decision or rate-limit charge; `handle` checks again.
   */
  assertSession(sessionId: string, identity: Identity): void;
  handle(request: RelayRequest): Promise<UpstreamReply>;
  /**
   * `handle` without a promise, where the relay has it (the Streamable HTTP one): `done` is called
   * once, with the reply or with the error `handle` would reject with.
   */
  relay?(request: RelayRequest, done: ReplyCallback): void;
  /** Ends streams and kills children. Resolves when they are gone. */
  close(): Promise<void>;
}

/** Told once how a relayed request ended: an error (GatewayError, mostly), or the reply. */
export type ReplyCallback = (error: unknown, reply?: UpstreamReply) => void;

/** `relay` as a promise: what `handle` is for a relay built on callbacks. */
export function replyOf(relay: (request: RelayRequest, done: ReplyCallback) => void, request: RelayRequest): Promise<UpstreamReply> {
  return new Promise((resolve, reject) => relay(request, (error, reply) => (reply ? resolve(reply) : reject(error))));
}
