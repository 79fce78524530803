/**
 * The gateway's checks, in their order, as one function per entry point: Host/Origin for every
 * path (the DNS-rebinding guard), then for /mcp the service token, the email header, the
 * caller's requests in flight, the content type and bounded body, the strict parse, the routing
 * headers against the body, the method rule for callers without an email, the session's owner
 * and the tool policy. A request reaches the upstream only after every check passed. The Node
 * listener and the web app both run exactly these functions; neither has checks of its own.
 */
import { MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import type { McpHttpMethod } from "@mcpbox/shared";
import type { AuditRecord } from "../audit";
import type { GatewayConfig } from "../config";
import { identityKey } from "../context";
import type { Identity } from "../context";
import { checkRoutingHeaders } from "../jsonrpc/routing-headers";
import type { McpBody } from "../jsonrpc/message";
import { ConcurrencyLimiter, tooManyRequests } from "../limits/concurrency";
import { checkMcpContentType, mcpBodyOf } from "../middleware/body";
import type { BodyResult } from "../middleware/body";
import { createHostOriginCheck } from "../middleware/host-origin";
import { checkAnonymousMethods, resolveIdentity } from "../middleware/identity";
import { createServiceTokenCheck } from "../middleware/service-token";
import { applyPolicy } from "../policy/guard";
import type { PolicyRuntime } from "../policy/runtime";
import type { UpstreamReply } from "../reply";
import type { Upstream } from "../upstream/types";
import { isRefusal, refusal } from "./refusal";
import type { Refusal } from "./refusal";

/** What the checks read of a request to /mcp, whatever it arrived on. */
export interface McpRequest {
  readonly method: McpHttpMethod;
  /** A request header by lower-case name, repeated fields joined as Fetch's `Headers.get` does. */
  header(name: string): string | undefined;
  /** Reads the body, stopping after `maxBytes`: at once when it is already in, else a promise. */
  readBody(maxBytes: number): BodyResult | Promise<BodyResult>;
}

/** A request that passed every check: who sent it, what to relay, how to rewrite the answer. */
export interface Authorized {
  readonly identity: Identity;
  /** A POST's parsed body (the tool policy may have removed refused messages of a batch). */
  readonly body: McpBody | undefined;
  readonly editReply: ((reply: UpstreamReply) => Promise<UpstreamReply>) | undefined;
}

export interface McpGuard {
  /** Host and Origin, for every path: a 403 refusal, or undefined. */
  hostOrigin(host: string | undefined, origin: string | undefined): Refusal | undefined;
  /**
   * The /mcp checks after Host/Origin. `hold` receives the release of the caller's place among
   * its requests in flight as soon as it is taken; the caller frees it when the response ends.
   * Throws (or rejects) with GatewayError where a check cannot even be run (a body cut off, an
   * unknown session). A promise only while the body is still arriving.
   */
  authorize(
    request: McpRequest,
    audit: AuditRecord | undefined,
    hold: (release: () => void) => void,
  ): Authorized | Refusal | Promise<Authorized | Refusal>;
}

const TOKEN_HEADER = MCPBOX_HEADERS.serviceToken.toLowerCase();
const EMAIL_HEADER = MCPBOX_HEADERS.userEmail.toLowerCase();
const CLIENT_ID_HEADER = MCPBOX_HEADERS.clientId.toLowerCase();
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
const METHOD_HEADER = MCP_HEADERS.method.toLowerCase();
const NAME_HEADER = MCP_HEADERS.name.toLowerCase();
// Audit field limit for the Worker-supplied client id.
const MAX_CLIENT_ID_LENGTH = 200;

export interface McpGuardDeps {
  config: GatewayConfig;
  upstream: Upstream;
  /** The tool policy (`MCPBOX_POLICY`); without one no policy code runs at all. */
  policy?: PolicyRuntime;
}

/** Builds the checks for one gateway (its tokens, allowlists, limits, upstream and policy). */
export function createMcpGuard({ config, upstream, policy }: McpGuardDeps): McpGuard {
  const hostOrigin = createHostOriginCheck(config.allowedHosts, config.allowedOrigins);
  const serviceToken = createServiceTokenCheck(config.serviceTokens);
  const limiter = new ConcurrencyLimiter(config.maxConcurrentPerUser);

  /**
   * Runs without a single await when the body is already in (as it is for almost every POST):
   * it returns its result itself, and a promise only while the body is still arriving.
   */
  function authorize(
    request: McpRequest,
    audit: AuditRecord | undefined,
    hold: (release: () => void) => void,
  ): Authorized | Refusal | Promise<Authorized | Refusal> {
    const tokenRefused = serviceToken(request.header(TOKEN_HEADER));
    if (tokenRefused) return tokenRefused;

    const resolved = resolveIdentity(request.header(EMAIL_HEADER), config.allowedEmails);
    const sessionId = request.header(SESSION_HEADER);
    if (audit) {
      const clientId = request.header(CLIENT_ID_HEADER);
      audit.clientId = clientId ? clientId.slice(0, MAX_CLIENT_ID_LENGTH) : null;
      audit.session = sessionId ?? null;
      if (resolved.ok && resolved.identity.kind === "user") audit.email = resolved.identity.email;
    }
    if (!resolved.ok) return refusal(resolved.code, resolved.message);
    const identity = resolved.identity;

    const key = identityKey(identity);
    const release = limiter.acquire(key);
    if (!release) return tooManyRequests(limiter, key);
    hold(release);

    if (request.method !== "POST") return afterBody(request, audit, identity, sessionId, undefined);
    const unsupported = checkMcpContentType(request.header("content-type"));
    if (unsupported) return unsupported;
    const read = request.readBody(config.maxBodyBytes);
    if (read instanceof Promise) return read.then((result) => withBody(request, audit, identity, sessionId, result));
    return withBody(request, audit, identity, sessionId, read);
  }

  /** The checks of a POST's body, once it is read. */
  function withBody(
    request: McpRequest,
    audit: AuditRecord | undefined,
    identity: Identity,
    sessionId: string | undefined,
    result: BodyResult,
  ): Authorized | Refusal {
    const body = mcpBodyOf(result, config.maxBodyBytes, audit);
    if (isRefusal(body)) return body;
    const routing = checkRoutingHeaders(request.header(METHOD_HEADER), request.header(NAME_HEADER), body.messages);
    if (!routing.ok) return refusal("header_mismatch", `Bad request: ${routing.detail}; the headers must mirror the JSON-RPC body`);
    return afterBody(request, audit, identity, sessionId, body);
  }

  /** The checks after the body's: the method rule without an email, the session's owner, the tool policy. */
  function afterBody(
    request: McpRequest,
    audit: AuditRecord | undefined,
    identity: Identity,
    sessionId: string | undefined,
    body: McpBody | undefined,
  ): Authorized | Refusal {
    if (identity.kind !== "user") {
      const anonymousRefused = checkAnonymousMethods(request.method, body);
      if (anonymousRefused) return anonymousRefused;
    }

    if (sessionId !== undefined) upstream.assertSession(sessionId, identity);

    if (!policy) return { identity, body, editReply: undefined };
    const decided = applyPolicy(policy, { method: request.method, header: (name) => request.header(name), identity, body, audit });
    if (isRefusal(decided)) return decided;
    return { identity, body: decided.body, editReply: decided.editReply };
  }

  return { hostOrigin, authorize };
}
