/**
 * The gateway on Node's own request and response objects: Host/Origin, `/health`, then for /mcp
 * every check of guard/mcp-guard.ts in its order, the relay, and the reply written straight into
 * the ServerResponse. Nothing is converted to web Requests, Responses or streams on the way: the
 * profile showed that conversion (and the middleware chain around it) cost more per call than
 * every check together (docs/decisions.md, 2026-11-27).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { GATEWAY_PATHS, HEALTH_BODY, MCP_HEADERS } from "@mcpbox/shared";
import type { McpHttpMethod } from "@mcpbox/shared";
import type { AuditRecord } from "./audit";
import type { GatewayConfig } from "./config";
import { GatewayError, INTERNAL_ERROR_MESSAGE, errorParts } from "./errors";
import { isRefusal } from "./guard/refusal";
import type { Refusal } from "./guard/refusal";
import type { McpGuard, McpRequest } from "./guard/mcp-guard";
import type { Logger } from "./logger";
import { readNodeBody } from "./middleware/body";
import type { BodyResult } from "./middleware/body";
import { sendReply } from "./reply";
import type { Upstream } from "./upstream/types";

const HEALTH_TEXT = JSON.stringify(HEALTH_BODY);
const HEALTH_HEADERS = { "content-type": "application/json", "content-length": Buffer.byteLength(HEALTH_TEXT) };
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();

// Fields Node keeps only the first of (node:_http_incoming); the Fetch standard's Headers.get, which
// the checks were written against, joins every occurrence. Of these the checks read only
// Content-Type (a second Host is refused before any check): two of them must not pass as one.
const FIRST_ONLY: ReadonlySet<string> = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

/** A header of a Node request by lower-case name, every occurrence joined with ", ". */
export function nodeHeader(incoming: IncomingMessage, name: string): string | undefined {
  if (!FIRST_ONLY.has(name)) {
    const value = incoming.headers[name];
    return typeof value === "string" ? value : undefined;
  }
  const raw = incoming.rawHeaders;
  let joined: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i] as string;
    if (field.length === name.length && field.toLowerCase() === name)
      joined = joined === undefined ? (raw[i + 1] as string) : `${joined}, ${raw[i + 1]}`;
  }
  return joined;
}

/** The checks' view of a Node request. */
class NodeMcpRequest implements McpRequest {
  constructor(
    private readonly incoming: IncomingMessage,
    readonly method: McpHttpMethod,
  ) {}

  header(name: string): string | undefined {
    return nodeHeader(this.incoming, name);
  }

  readBody(maxBytes: number): Promise<BodyResult> {
    return readNodeBody(this.incoming, maxBytes);
  }
}

export interface NodeHandlerDeps {
  config: GatewayConfig;
  upstream: Upstream;
  guard: McpGuard;
  log: Logger;
}

export type NodeHandler = (incoming: IncomingMessage, outgoing: ServerResponse, path: string, audit: AuditRecord) => void;

/** Writes an error answer (closing the connection after it if `close`), or cuts the response if its head is already out. */
export function writeError(outgoing: ServerResponse, error: unknown, options?: Refusal["options"], close = false): void {
  if (outgoing.headersSent) {
    outgoing.destroy();
    return;
  }
  const { status, headers, body } = errorParts(error, options);
  headers["content-length"] = String(Buffer.byteLength(body));
  if (close) headers.connection = "close";
  outgoing.writeHead(status, headers);
  outgoing.end(body);
}

/** Builds the handler for requests whose target, framing and drain state server.ts has already accepted. */
export function createNodeHandler({ config, upstream, guard, log }: NodeHandlerDeps): NodeHandler {
  const refuse = (outgoing: ServerResponse, refused: Refusal, audit: AuditRecord) => {
    audit.error = refused.refused.code;
    writeError(outgoing, refused.refused, refused.options);
  };

  const fail = (outgoing: ServerResponse, error: unknown, audit: AuditRecord) => {
    audit.error = error instanceof GatewayError ? error.code : "internal";
    if (!(error instanceof GatewayError))
      log.error(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    else if (error.code === "internal") log.error(`internal error: ${String(error.cause ?? INTERNAL_ERROR_MESSAGE)}`);
    writeError(outgoing, error);
  };

  async function mcp(incoming: IncomingMessage, outgoing: ServerResponse, audit: AuditRecord): Promise<void> {
    const method = incoming.method as McpRequest["method"];
    const request = new NodeMcpRequest(incoming, method);
    // The caller's place among its requests in flight is held until the response has ended.
    const hold = (release: () => void) => (outgoing.destroyed ? release() : void outgoing.once("close", release));
    const result = await guard.authorize(request, audit, hold);
    if (isRefusal(result)) return refuse(outgoing, result, audit);
    let reply = await upstream.handle({
      method,
      header: (name) => nodeHeader(incoming, name),
      body: result.body,
      identity: result.identity,
      onClientGone: (listener) => void outgoing.once("close", () => outgoing.writableFinished || listener()),
    });
    if (result.editReply) reply = await result.editReply(reply);
    // initialize: the session id is born in the response.
    audit.session ??= reply.headers[SESSION_HEADER] ?? null;
    sendReply(reply, outgoing, config.sseKeepaliveMs);
  }

  return (incoming, outgoing, path, audit) => {
    const refused = guard.hostOrigin(nodeHeader(incoming, "host"), nodeHeader(incoming, "origin"));
    if (refused) return refuse(outgoing, refused, audit);
    if (path === GATEWAY_PATHS.health) {
      outgoing.writeHead(200, HEALTH_HEADERS);
      outgoing.end(HEALTH_TEXT);
      return;
    }
    mcp(incoming, outgoing, audit).catch((error: unknown) => fail(outgoing, error, audit));
  };
}
