/**
 * The contract between the gateway app and an upstream relay (Streamable HTTP or stdio): one
 * authorized MCP request in, one streaming reply out.
 */
import type { Identity } from "../context";
import type { ParsedBody } from "../jsonrpc-body";
import type { UpstreamReply } from "../reply";

export interface RelayRequest {
  readonly method: "POST" | "GET" | "DELETE";
  /** The client's request: headers, and an abort signal that fires when the client goes away. */
  readonly request: Request;
  /** POST only: the body exactly as received, and what it parsed to. */
  readonly bodyBytes?: Uint8Array;
  readonly body?: ParsedBody;
  readonly identity: Identity;
}

export interface Upstream {
  /** For the ready line and logs; never holds secrets. */
  readonly description: string;
  handle(request: RelayRequest): Promise<UpstreamReply>;
  /** Ends streams and kills children. Resolves when they are gone. */
  close(): Promise<void>;
}
