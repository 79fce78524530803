/**
 * One stdio MCP session: a child process (child-transport.ts, in a process group of its own)
 * joined to a Streamable HTTP server transport (the SDK's web-standard one). Messages pass through
 * untouched in both directions; the gateway only decides which HTTP stream carries a server
 * message and ends the child on DELETE, idle, crash or shutdown. A crashed child fails its open
 * requests with a clear JSON-RPC error instead of leaving the client waiting.
 */
import { randomUUID } from "node:crypto";
import { JSONRPC_ERROR, jsonRpcError } from "@mcpbox/shared";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { GatewayError } from "../errors";
import type { Logger } from "../logger";
import { createChildTransport } from "./child-transport";
import type { ChildTransport } from "./child-transport";

export type CloseReason = "deleted" | "idle" | "evicted" | "shutdown" | "crashed" | "finished" | "client-gone";

export interface StdioSessionOptions {
  /** The verified email that opened the session (null: no email); only it may use the session. */
  owner: string | null;
  command: string;
  args: readonly string[];
  /** Without sessions: one child serves one POST (protocol revision 2026-07-28 clients). */
  stateless: boolean;
  log: Logger;
  now: () => number;
  /** Called once the child has exited, whatever the reason. */
  onClosed: (session: StdioSession) => void;
  /** Called when a stateful session receives its id (during initialize). */
  onSessionId?: (session: StdioSession, id: string) => void;
}

const CLOSE_MESSAGES: Record<CloseReason, string> = {
  deleted: "The MCP session was closed by the client",
  idle: "The MCP session was closed after being idle; start a new session",
  evicted: "The MCP session was closed to make room for a newer session of the same user; start a new session",
  shutdown: "The gateway is shutting down; retry shortly",
  crashed: "The MCP server process for this session exited unexpectedly; start a new session",
  finished: "The MCP server process finished",
  "client-gone": "The client went away",
};
// Stderr lines of a child are logged up to this length.
const MAX_STDERR_LINE = 500;

type ProgressToken = string | number;

function progressTokenOf(message: JSONRPCMessage): ProgressToken | undefined {
  const params = (message as { params?: { _meta?: { progressToken?: unknown } } }).params;
  const token = params?._meta?.progressToken;
  return typeof token === "string" || typeof token === "number" ? token : undefined;
}

export class StdioSession {
  id: string | undefined;
  lastActivity: number;
  readonly stateless: boolean;
  readonly owner: string | null;
  private readonly transport: WebStandardStreamableHTTPServerTransport;
  private readonly child: ChildTransport;
  /** Client requests awaiting the child's answer, with their progress token. */
  private readonly pending = new Map<RequestId, ProgressToken | undefined>();
  private readonly progress = new Map<ProgressToken, RequestId>();
  private closeReason: CloseReason | undefined;
  private spawnedPid: number | null = null;
  private closing: Promise<void> | undefined;
  private markExited!: () => void;
  private readonly exited = new Promise<void>((resolve) => (this.markExited = resolve));

  private constructor(private readonly options: StdioSessionOptions) {
    this.stateless = options.stateless;
    this.owner = options.owner;
    this.lastActivity = options.now();
    this.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: options.stateless ? undefined : randomUUID,
      // The relay adds keepalive comments to every SSE stream (GATEWAY_SSE_KEEPALIVE_MS, 0 = off);
      // the transport's own fixed-interval ones would only double them and ignore that setting.
      keepAliveMs: 0,
      onsessioninitialized: (id) => {
        this.id = id;
        options.onSessionId?.(this, id);
      },
    });
    this.child = createChildTransport({ command: options.command, args: options.args });
    this.wire();
  }

  /** Spawns the child. Throws GatewayError("upstream_start_failed") when it cannot start. */
  static async start(options: StdioSessionOptions): Promise<StdioSession> {
    const session = new StdioSession(options);
    try {
      await session.child.start();
      session.spawnedPid = session.child.pid;
      await session.transport.start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "spawn error";
      options.log.error(`cannot start the MCP server command "${options.command}": ${code}`);
      session.closeReason = "crashed";
      session.markExited();
      throw new GatewayError("upstream_start_failed", `Upstream unavailable: the gateway could not start the MCP server (${code})`, {
        cause: error,
      });
    }
    return session;
  }

  /** The child's process id (kept after it exits, for logs and tests). */
  get pid(): number | null {
    return this.spawnedPid;
  }

  /** True while a client request waits for the child: the idle timer does not apply. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  get isClosing(): boolean {
    return this.closeReason !== undefined;
  }

  /** Passes one HTTP request to the session's transport. */
  handle(request: Request, parsedBody?: unknown): Promise<Response> {
    this.lastActivity = this.options.now();
    return this.transport.handleRequest(request, parsedBody === undefined ? undefined : { parsedBody });
  }

  /** Ends the session: fails open requests, closes streams, ends the child and waits for its exit. */
  close(reason: CloseReason): Promise<void> {
    this.closing ??= this.shutdown(reason);
    return this.closing;
  }

  private async shutdown(reason: CloseReason): Promise<void> {
    this.closeReason ??= reason;
    await this.failPending(CLOSE_MESSAGES[this.closeReason]);
    await this.transport.close().catch(() => undefined);
    await this.child.close().catch(() => undefined);
    await this.exited;
  }

  private async failPending(message: string): Promise<void> {
    const ids = [...this.pending.keys()];
    this.pending.clear();
    this.progress.clear();
    await Promise.all(
      ids.map((id) =>
        this.transport.send(jsonRpcError(JSONRPC_ERROR.sessionNotFound, message, id) as JSONRPCMessage).catch(() => undefined),
      ),
    );
  }

  private forget(id: RequestId): void {
    const token = this.pending.get(id);
    if (token !== undefined) this.progress.delete(token);
    this.pending.delete(id);
  }

  private wire(): void {
    const { log, now } = this.options;
    const { transport, child } = this;

    transport.onmessage = (message) => {
      this.lastActivity = now();
      if ("method" in message) {
        if ("id" in message) {
          const token = progressTokenOf(message);
          this.pending.set(message.id, token);
          if (token !== undefined) this.progress.set(token, message.id);
        } else if (message.method === "notifications/cancelled") {
          const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
          if (requestId !== undefined) this.forget(requestId);
        }
      }
      child.send(message).catch((error: Error) => log.warn(`cannot write to MCP server pid ${this.pid}: ${error.message}`));
    };

    child.onmessage = (message) => {
      this.lastActivity = now();
      if (!("method" in message)) {
        // A response to a client request: the transport routes it by id and ends that stream.
        if (message.id === undefined) return log.warn(`MCP server ${this.pid ?? "?"} sent an error without an id`);
        this.forget(message.id);
        const sent = transport.send(message).catch(() => undefined);
        if (this.stateless && this.pending.size === 0) void sent.then(() => this.close("finished"));
        return;
      }
      // stdio carries no "related request": progress follows its token, anything else rides an
      // open request stream (which the client is sure to read) or else the standalone GET stream.
      let related: RequestId | undefined;
      if (message.method === "notifications/progress") {
        const token = (message.params as { progressToken?: ProgressToken } | undefined)?.progressToken;
        if (token !== undefined) related = this.progress.get(token);
      }
      if (related === undefined && this.pending.size > 0) related = this.pending.keys().next().value;
      transport.send(message, related === undefined ? undefined : { relatedRequestId: related }).catch(() => undefined);
    };

    child.onerror = (error) => log.warn(`MCP server ${this.pid ?? "?"}: ${error.message}`);
    child.stderr?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) log.info(`[mcp server ${this.pid ?? "?"}] ${line.slice(0, MAX_STDERR_LINE)}`);
      }
    });
    child.onclose = () => {
      if (this.closeReason === undefined) {
        this.closeReason = "crashed";
        log.warn(`MCP server process of session ${this.id ?? "(sessionless)"} exited unexpectedly`);
        void this.close("crashed");
      }
      this.markExited();
      this.options.onClosed(this);
    };
    // A DELETE closes the transport; the child follows.
    transport.onclose = () => void this.close("deleted");
  }
}
