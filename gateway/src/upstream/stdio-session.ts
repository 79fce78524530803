/**
 * One stdio MCP session: a child process (child-transport.ts, in a process group of its own)
 * behind the server side of MCP Streamable HTTP (stdio-http.ts). The client's messages, parsed and
 * checked once by the gateway, go to the child one per line; the child's lines go back unchanged
 * as SSE events, each routed by its JSON-RPC id (a response ends the request it answers; progress
 * follows its token; other server messages ride an open request stream or the GET stream). The
 * gateway ends the child on DELETE, idle, eviction, crash and shutdown; a crashed child fails its
 * open requests with a clear JSON-RPC error instead of leaving the client waiting.
 */
import { randomUUID } from "node:crypto";
import { JSONRPC_ERROR, MCP_HEADERS, jsonRpcError } from "@mcpbox/shared";
import { GatewayError } from "../errors";
import type { JsonRpcMessage } from "../jsonrpc/message";
import type { Logger } from "../logger";
import type { UpstreamReply } from "../reply";
import { ChildTransport } from "./child-transport";
import { EventStream } from "./event-stream";
import { SSE_HEADERS, answerPost, preflight } from "./stdio-http";
import type { HttpFacts } from "./stdio-http";

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
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
// Stderr lines of a child are logged up to this length.
const MAX_STDERR_LINE = 500;

type RequestId = string | number;
type ProgressToken = string | number;

/** A line from the child, as far as routing needs it. */
interface ChildMessage {
  method?: unknown;
  id?: unknown;
  params?: { progressToken?: unknown };
}

const isKey = (value: unknown): value is RequestId => typeof value === "string" || typeof value === "number";

function progressTokenOf(message: JsonRpcMessage): ProgressToken | undefined {
  const meta = message.params?._meta;
  const token =
    typeof meta === "object" && meta !== null && !Array.isArray(meta) ? (meta as { progressToken?: unknown }).progressToken : undefined;
  return isKey(token) ? token : undefined;
}

export class StdioSession {
  id: string | undefined;
  lastActivity: number;
  readonly stateless: boolean;
  readonly owner: string | null;
  private initialized = false;
  private readonly child: ChildTransport;
  /** The stream each unanswered request of the client is answered on. */
  private readonly routes = new Map<RequestId, EventStream>();
  /** Client requests awaiting the child's answer (not cancelled), with their progress token. */
  private readonly pending = new Map<RequestId, ProgressToken | undefined>();
  private readonly progress = new Map<ProgressToken, RequestId>();
  private standalone: EventStream | undefined;
  private closeReason: CloseReason | undefined;
  private spawnedPid: number | null = null;
  private closing: Promise<void> | undefined;
  private markExited!: () => void;
  private readonly exited = new Promise<void>((resolve) => (this.markExited = resolve));

  private constructor(private readonly options: StdioSessionOptions) {
    this.stateless = options.stateless;
    this.owner = options.owner;
    this.lastActivity = options.now();
    this.child = new ChildTransport({ command: options.command, args: options.args });
    this.wire();
  }

  /** Spawns the child. Throws GatewayError("upstream_start_failed") when it cannot start. */
  static async start(options: StdioSessionOptions): Promise<StdioSession> {
    const session = new StdioSession(options);
    try {
      await session.child.start();
      session.spawnedPid = session.child.pid;
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

  /** Answers one HTTP request of the session (MCP Streamable HTTP, server side). */
  handle(request: HttpFacts): UpstreamReply {
    this.lastActivity = this.options.now();
    const state = {
      closed: this.isClosing,
      stateless: this.stateless,
      initialized: this.initialized,
      sessionId: this.id,
      streaming: this.streaming,
    };
    const refused = preflight(request, state);
    if (refused) return refused;
    if (request.method === "DELETE") return { status: 200, headers: {}, body: null };
    if (request.method === "GET") return this.openStandalone();
    const messages = request.body?.messages ?? [];
    const answer = answerPost(messages, request, state);
    if (answer.refused) return answer.refused;
    if (answer.initialize) {
      this.initialized = true;
      if (!this.stateless) {
        this.id = randomUUID();
        this.options.onSessionId?.(this, this.id);
      }
    }
    if (!answer.hasRequests) {
      for (const message of messages) this.toChild(message, undefined);
      return { status: 202, headers: {}, body: null };
    }
    const stream = new EventStream();
    for (const message of messages) this.toChild(message, stream);
    return { status: 200, headers: this.sseHeaders(), body: stream };
  }

  /** Ends the session: fails open requests, closes streams, ends the child and waits for its exit. */
  close(reason: CloseReason): Promise<void> {
    this.closing ??= this.shutdown(reason);
    return this.closing;
  }

  private sseHeaders(): Record<string, string> {
    // Each reply gets its own object: the relay and the tool policy may edit a reply's headers.
    return this.id === undefined ? { ...SSE_HEADERS } : { ...SSE_HEADERS, [SESSION_HEADER]: this.id };
  }

  private openStandalone(): UpstreamReply {
    const stream = new EventStream();
    this.standalone = stream;
    stream.once("close", () => {
      if (this.standalone === stream) this.standalone = undefined;
    });
    return { status: 200, headers: this.sseHeaders(), body: stream };
  }

  /** True while the session's GET stream is open (a second one is refused). */
  get streaming(): boolean {
    return this.standalone?.live ?? false;
  }

  private toChild(message: JsonRpcMessage, stream: EventStream | undefined): void {
    if (message.kind === "request" && stream) {
      const token = progressTokenOf(message);
      this.routes.set(message.id, stream);
      stream.open++;
      this.pending.set(message.id, token);
      if (token !== undefined) this.progress.set(token, message.id);
    } else if (message.kind === "notification" && message.method === "notifications/cancelled") {
      const requestId = message.params?.requestId;
      if (isKey(requestId)) this.forget(requestId);
    }
    if (!this.child.send(JSON.stringify(message.message)))
      this.options.log.warn(`cannot write to MCP server pid ${this.pid}: it is not running`);
  }

  private forget(id: RequestId): void {
    const token = this.pending.get(id);
    if (token !== undefined) this.progress.delete(token);
    this.pending.delete(id);
  }

  /** A response of the child (or the gateway's error in its place) goes to the stream of its request. */
  private answer(id: RequestId, json: string): void {
    this.forget(id);
    const stream = this.routes.get(id);
    if (!stream) return;
    this.routes.delete(id);
    stream.send(json);
    if (--stream.open === 0) stream.finish();
  }

  private fromChild(line: string): void {
    this.lastActivity = this.options.now();
    let message: ChildMessage;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new SyntaxError("not a JSON object");
      message = parsed as ChildMessage;
    } catch (error) {
      this.options.log.warn(`MCP server ${this.pid ?? "?"} wrote a line that is not a JSON-RPC message (${(error as Error).message})`);
      return;
    }
    if (typeof message.method !== "string") {
      // A response to a client request: it ends that request's stream.
      if (!isKey(message.id)) return this.options.log.warn(`MCP server ${this.pid ?? "?"} sent a response without an id`);
      this.answer(message.id, line);
      if (this.stateless && this.pending.size === 0) void this.close("finished");
      return;
    }
    // stdio carries no "related request": progress follows its token, anything else rides an
    // open request stream (which the client is sure to read) or else the standalone GET stream.
    let related: RequestId | undefined;
    if (message.method === "notifications/progress") {
      const token = message.params?.progressToken;
      if (isKey(token)) related = this.progress.get(token);
    }
    if (related === undefined && this.pending.size > 0) related = this.pending.keys().next().value;
    const stream = related === undefined ? this.standalone : this.routes.get(related);
    stream?.send(line);
  }

  private async shutdown(reason: CloseReason): Promise<void> {
    this.closeReason ??= reason;
    const message = CLOSE_MESSAGES[this.closeReason];
    for (const id of [...this.pending.keys()]) this.answer(id, JSON.stringify(jsonRpcError(JSONRPC_ERROR.sessionNotFound, message, id)));
    this.progress.clear();
    for (const stream of new Set(this.routes.values())) stream.finish();
    this.routes.clear();
    this.standalone?.finish();
    await this.child.close().catch(() => undefined);
    await this.exited;
  }

  private wire(): void {
    const { log } = this.options;
    const child = this.child;
    child.onLine = (line) => this.fromChild(line);
    child.onError = (error) => log.warn(`MCP server ${this.pid ?? "?"}: ${error.message}`);
    child.stderr.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) log.info(`[mcp server ${this.pid ?? "?"}] ${line.slice(0, MAX_STDERR_LINE)}`);
      }
    });
    child.onClose = () => {
      if (this.closeReason === undefined) {
        this.closeReason = "crashed";
        log.warn(`MCP server process of session ${this.id ?? "(sessionless)"} exited unexpectedly`);
        void this.close("crashed");
      }
      this.markExited();
      this.options.onClosed(this);
    };
  }
}
