/**
 * Runs the gateway on Node: builds the upstream relay and the app, listens, writes one audit line
 * per request when its response ends, and shuts down gracefully (stop accepting, drain in-flight
 * requests for a bounded time, cut what remains, kill child processes).
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { isoTime, newAuditRecord, openAuditLog, sessionDigest, wallTimeAt } from "./audit";
import type { AuditLog, AuditSink } from "./audit";
import type { GatewayConfig } from "./config";
import { GatewayError, NOT_FOUND_MESSAGE } from "./errors";
import { createMcpGuard } from "./guard/mcp-guard";
import { answerConnect, answerMalformedRequest, hostHeaderCount } from "./http-framing";
import { SessionLedger } from "./limits/session-ledger";
import { stderrLogger } from "./logger";
import type { Logger } from "./logger";
import { checkRequestTarget } from "./middleware/path-allowlist";
import { closeScope, createNodeHandler, writeError } from "./node-handler";
import type { RequestScope } from "./node-handler";
import { PolicyRuntime } from "./policy/runtime";
import { createHttpUpstream } from "./upstream/http";
import type { Upstream } from "./upstream/types";

export interface GatewayOptions {
  /** Diagnostics; default stderr. */
  log?: Logger;
  /** Receives audit lines instead of the configured file or stdout. */
  auditSink?: AuditSink;
  /** Clock for stdio idle timeouts and the policy's rate limits. */
  now?: () => number;
}

export interface Gateway {
  readonly upstream: Upstream;
  /** Reads `MCPBOX_POLICY` again (SIGHUP); false when there is none, it did not change or it is broken. */
  reloadPolicy(why?: string): boolean;
  /** The Node request listener: audit, drain state, then the checks and the relay (node-handler.ts). */
  readonly listener: (incoming: IncomingMessage, outgoing: ServerResponse) => void;
  /** Stops taking requests (answers 503), lets in-flight ones finish within `drainMs`, then closes everything. */
  close(server?: Server): Promise<void>;
}

export interface GatewayHandle {
  readonly url: string;
  readonly port: number;
  readonly upstream: Upstream;
  reloadPolicy(why?: string): boolean;
  close(): Promise<void>;
}

/**
 * The relay `config` asks for, with its session places counted per identity and in total. The
 * stdio bridge (and the MCP SDK and zod it brings) is loaded only when asked for: a gateway in
 * front of an HTTP server never loads it, and a smaller process costs less per request.
 */
export async function createUpstream(config: GatewayConfig, log: Logger, now?: () => number): Promise<Upstream> {
  const { upstream, sessionIdleMs } = config;
  const ledger = new SessionLedger(config);
  if (upstream.kind === "http")
    return createHttpUpstream({ url: upstream.url, timeoutMs: config.upstreamTimeoutMs, ledger, sessionIdleMs, log, now });
  const { createStdioUpstream } = await import("./upstream/stdio");
  return createStdioUpstream({ command: upstream.command, args: upstream.args, ledger, sessionIdleMs, log, now });
}

/** Builds the gateway without listening: the relay, the app and the Node listener. */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? stderrLogger;
  // A policy that does not validate stops the start (PolicyFileError), before anything is spawned.
  const policy = config.policyPath ? await PolicyRuntime.open({ path: config.policyPath, log, now: options.now ?? Date.now }) : undefined;
  policy?.watch();
  const upstream = await createUpstream(config, log, options.now);
  const handler = createNodeHandler({ config, upstream, log, guard: createMcpGuard({ config, upstream, policy }) });
  const audit: AuditLog = openAuditLog(config.auditLogPath, options.auditSink);
  // What a drain waits for: requests in flight other than GET streams (counted), and the GET
  // streams, which never end by themselves (closed at shutdown). A counter, not a Map entry per
  // request: a Map whose entries come and go a thousand times a second kept every exchange alive
  // through the young generation, 2.3 MB promoted per minor GC instead of 4 KB (docs/decisions.md,
  // 2026-11-27, "no per-request reference from long-lived structures").
  let relaying = 0;
  const streams = new Set<ServerResponse>();
  let draining = false;
  let drainingServer: Server | undefined;
  let onIdle: (() => void) | undefined;

  const listener = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const started = performance.now();
    const socket = incoming.socket;
    const bytesBefore = socket.bytesWritten;
    const record = newAuditRecord();
    const scope: RequestScope = { audit: record, release: undefined, clientGone: undefined };
    const method = incoming.method ?? "GET";
    const stream = method === "GET";
    if (stream) streams.add(outgoing);
    else relaying++;
    // The response's one "close" listener of ours: the handler's leftovers, the drain, the audit line.
    // `on`, not `once`: a response closes once, and once's wrapper and removal cost per request.
    outgoing.on("close", () => {
      closeScope(scope, outgoing);
      if (stream) streams.delete(outgoing);
      else relaying--;
      audit.write({
        time: isoTime(wallTimeAt(started)),
        email: record.email,
        clientId: record.clientId,
        httpMethod: method,
        method: record.method,
        tool: record.tool,
        session: record.session === null ? null : sessionDigest(record.session),
        status: outgoing.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        bytesIn: record.bytesIn,
        bytesOut: socket.bytesWritten - bytesBefore,
        error: record.error,
        decision: record.decision,
        rule: record.rule,
      });
      if (draining) {
        drainingServer?.closeIdleConnections();
        if (onIdle && relaying === 0) onIdle();
      }
    });

    // The path allowlist runs first, on the raw target, before anything else is read.
    const target = checkRequestTarget(incoming.url ?? "", method);
    if (!target.ok) {
      record.error = "not_found";
      return writeError(outgoing, new GatewayError("not_found", NOT_FOUND_MESSAGE));
    }
    if (draining) {
      record.error = "shutting_down";
      return writeError(outgoing, new GatewayError("shutting_down", "The gateway is shutting down; retry shortly"), undefined, true);
    }
    // RFC 9112 §3.2: a request with more than one Host field is answered 400 (Node keeps the first).
    if (hostHeaderCount(incoming.rawHeaders) > 1) {
      record.error = "malformed_http";
      return writeError(
        outgoing,
        new GatewayError("malformed_http", "Bad request: the request has more than one Host header"),
        undefined,
        true,
      );
    }
    handler(incoming, outgoing, target.path, scope);
  };

  let closing: Promise<void> | undefined;
  const close = (server?: Server): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      drainingServer = server;
      const serverClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      // Server-to-client GET streams never finish by themselves; clients reconnect elsewhere.
      for (const outgoing of streams) outgoing.destroy();
      if (relaying > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, config.drainMs);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      server?.closeAllConnections();
      policy?.close();
      await upstream.close();
      await serverClosed;
      await audit.close();
    })();
    return closing;
  };

  return { upstream, listener, close, reloadPolicy: (why = "reload requested") => policy?.reload(why) ?? false };
}

/**
 * How long an idle keep-alive connection stays open. cloudflared keeps idle connections to its
 * origin for 90 s by default: a gateway that closed them sooner (Node's default is 5 s) would
 * race it, and a request sent just as the gateway closes the connection would fail.
 */
const IDLE_CONNECTION_MS = 95_000;

/** Formats a listening address as a URL (IPv6 in brackets). */
function urlFor(address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Starts the gateway on `config.host:config.port` (port 0 picks a free one). */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<GatewayHandle> {
  const gateway = await createGateway(config, options);
  // Without a Host header the request still gets the gateway's own JSON 403, not Node's bare 400.
  const server = createServer({ requireHostHeader: false }, gateway.listener);
  // Requests Node's HTTP parser refuses still get a JSON error body, then the connection closes.
  server.on("clientError", answerMalformedRequest);
  server.on("connect", answerConnect);
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: urlFor(address),
    port: address.port,
    upstream: gateway.upstream,
    reloadPolicy: gateway.reloadPolicy,
    close: () => gateway.close(server),
  };
}
