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
import type { Identity } from "./context";
import type { McpBody } from "./jsonrpc/message";
import type { GatewayConfig } from "./config";
import { GatewayError, INTERNAL_ERROR_MESSAGE, errorParts } from "./errors";
import { isRefusal } from "./guard/refusal";
import type { Refusal } from "./guard/refusal";
import type { Authorized, McpGuard, McpRequest } from "./guard/mcp-guard";
import type { Logger } from "./logger";
import { readNodeBody, takeCompleteBody } from "./middleware/body";
import type { BodyResult } from "./middleware/body";
import { sendReply } from "./reply";
import type { UpstreamReply } from "./reply";
import type { RelayRequest, Upstream } from "./upstream/types";

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

/**
 * One request to /mcp on Node: the checks' view of it, and, once they passed, what the relay
 * reads of it. One object per request, its methods on the prototype (no closures per request).
 */
class NodeExchange implements McpRequest, RelayRequest {
  // Set from the checks' result before the exchange is relayed.
  body: McpBody | undefined = undefined;
  identity!: Identity;

  constructor(
    private readonly incoming: IncomingMessage,
    private readonly scope: RequestScope,
    readonly method: McpHttpMethod,
  ) {}

  header(name: string): string | undefined {
    return nodeHeader(this.incoming, name);
  }

  readBody(maxBytes: number): BodyResult | Promise<BodyResult> {
    return takeCompleteBody(this.incoming, maxBytes) ?? readNodeBody(this.incoming, maxBytes);
  }

  onClientGone(listener: () => void): void {
    const previous = this.scope.clientGone;
    this.scope.clientGone = previous
      ? () => {
          previous();
          listener();
        }
      : listener;
  }
}

export interface NodeHandlerDeps {
  config: GatewayConfig;
  upstream: Upstream;
  guard: McpGuard;
  log: Logger;
}

/**
 * What a request leaves to be done when its response closes. The listener that accepted it runs
 * these from the one "close" listener it puts on every response (server.ts): a listener per
 * concern cost more per call than what each of them does.
 */
export interface RequestScope {
  readonly audit: AuditRecord;
  /** Frees the caller's place among its requests in flight. */
  release: (() => void) | undefined;
  /** Abandons the upstream exchange; run only when the response closed before it was complete. */
  clientGone: (() => void) | undefined;
}

/** Runs what `scope` holds for a response that has just closed. */
export function closeScope(scope: RequestScope, outgoing: ServerResponse): void {
  scope.release?.();
  if (scope.clientGone && !outgoing.writableFinished) scope.clientGone();
}

export type NodeHandler = (incoming: IncomingMessage, outgoing: ServerResponse, path: string, scope: RequestScope) => void;

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

  /**
   * The checks, then the relay, without a promise on the way when the body is in and the relay
   * takes a callback (the Streamable HTTP one): the bare relay the gateway is measured against
   * runs none, and promise machinery weighed more per call than its instruction count
   * (docs/decisions.md). Every error, thrown or passed on, ends in `fail`.
   */
  function mcp(incoming: IncomingMessage, outgoing: ServerResponse, scope: RequestScope): void {
    const { audit } = scope;
    try {
      const exchange = new NodeExchange(incoming, scope, incoming.method as McpHttpMethod);
      // The caller's place among its requests in flight is held until the response has closed.
      const hold = (release: () => void) => (outgoing.destroyed ? release() : void (scope.release = release));
      const checked = guard.authorize(exchange, audit, hold);
      if (checked instanceof Promise)
        checked.then(
          (result) => relay(exchange, result, outgoing, audit),
          (error: unknown) => fail(outgoing, error, audit),
        );
      else relay(exchange, checked, outgoing, audit);
    } catch (error) {
      fail(outgoing, error, audit);
    }
  }

  function relay(exchange: NodeExchange, result: Refusal | Authorized, outgoing: ServerResponse, audit: AuditRecord): void {
    if (isRefusal(result)) return refuse(outgoing, result, audit);
    exchange.body = result.body;
    exchange.identity = result.identity;
    const answered = (error: unknown, reply?: UpstreamReply): void => {
      try {
        if (!reply) return fail(outgoing, error, audit);
        if (result.editReply)
          result.editReply(reply).then(
            (edited) => send(edited, outgoing, audit),
            (failure: unknown) => fail(outgoing, failure, audit),
          );
        else send(reply, outgoing, audit);
      } catch (failure) {
        fail(outgoing, failure, audit);
      }
    };
    if (upstream.relay) upstream.relay(exchange, answered);
    else upstream.handle(exchange).then((reply) => answered(undefined, reply), answered);
  }

  function send(reply: UpstreamReply, outgoing: ServerResponse, audit: AuditRecord): void {
    // initialize: the session id is born in the response.
    audit.session ??= reply.headers[SESSION_HEADER] ?? null;
    sendReply(reply, outgoing, config.sseKeepaliveMs);
  }

  return (incoming, outgoing, path, scope) => {
    const refused = guard.hostOrigin(nodeHeader(incoming, "host"), nodeHeader(incoming, "origin"));
    if (refused) return refuse(outgoing, refused, scope.audit);
    if (path === GATEWAY_PATHS.health) {
      outgoing.writeHead(200, HEALTH_HEADERS);
      outgoing.end(HEALTH_TEXT);
      return;
    }
    // One turn later Node's parser has taken in the rest of what arrived with the head: most
    // bodies are then complete and read without listeners (takeCompleteBody).
    process.nextTick(mcp, incoming, outgoing, scope);
  };
}
