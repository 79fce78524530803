/**
 * A session's stdio child as an MCP transport: newline-delimited JSON-RPC on its stdin/stdout
 * (the SDK's own framing). On POSIX the child leads a process group of its own, so a terminal
 * Ctrl-C (SIGINT to the foreground group) reaches only the gateway, whose orderly shutdown then
 * ends the children; the gateway's signals go to the child's whole group. On Windows, where
 * neither groups nor Ctrl-C work that way, it is the SDK's StdioClientTransport as before.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { PassThrough } from "node:stream";
import type { Stream } from "node:stream";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** What a session needs of its child: the transport, the process id, and its stderr. */
export interface ChildTransport extends Transport {
  readonly pid: number | null;
  readonly stderr: Stream | null;
}

export interface ChildCommand {
  command: string;
  args: readonly string[];
}

// The MCP stdio shutdown sequence: close stdin, wait, SIGTERM, wait, SIGKILL (as the SDK does).
const STDIN_GRACE_MS = 2_000;
const TERM_GRACE_MS = 2_000;

/** Starts nothing yet: `start()` spawns. The child's environment is the SDK's short safe list. */
export function createChildTransport(command: ChildCommand): ChildTransport {
  if (process.platform === "win32") return new StdioClientTransport({ command: command.command, args: [...command.args], stderr: "pipe" });
  return new GroupLeaderTransport(command);
}

// Children whose group leader is still running. A leader not yet reaped keeps its pid, so its
// group id cannot have been handed to anyone else.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * When the gateway process exits without its orderly shutdown (a second Ctrl-C, an uncaught
 * error), nothing would end the detached groups: kill them on the way out. Only a SIGKILL of
 * the gateway skips this hook; its children then see stdin close, which is the MCP stdio signal
 * to exit.
 */
function killRunningGroups(): void {
  for (const child of running) signal(child, "SIGKILL");
}

/** Signals the child's whole process group, or the child alone if that is refused. */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, name);
  } catch {
    child.kill(name);
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

class GroupLeaderTransport implements ChildTransport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private child: ChildProcess | undefined;
  private started = false;
  private readonly readBuffer = new ReadBuffer();
  private readonly stderrStream = new PassThrough();
  private markClosed!: () => void;
  private readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(private readonly command: ChildCommand) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Available before start(), so no early line of the child's stderr is lost. */
  get stderr(): Stream {
    return this.stderrStream;
  }

  start(): Promise<void> {
    if (this.started) return Promise.reject(new Error("the child transport was already started"));
    this.started = true;
    return new Promise((resolve, reject) => {
      const child = spawn(this.command.command, [...this.command.args], {
        env: getDefaultEnvironment(),
        stdio: ["pipe", "pipe", "pipe"],
        shell: false,
        // A new session and process group: the terminal's Ctrl-C goes to the gateway alone.
        detached: true,
      });
      this.child = child;
      child.once("error", (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once("spawn", () => {
        running.add(child);
        if (!exitHookInstalled) {
          exitHookInstalled = true;
          process.on("exit", killRunningGroups);
        }
        resolve();
      });
      child.once("exit", () => running.delete(child));
      child.once("close", () => {
        running.delete(child);
        this.child = undefined;
        this.markClosed();
        this.onclose?.();
      });
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("data", (chunk: Buffer) => this.receive(chunk));
      child.stderr?.pipe(this.stderrStream);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin) return reject(new Error("Not connected"));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Closes stdin, then signals the group if the child does not exit in time (onclose tells when it is gone). */
  async close(): Promise<void> {
    const child = this.child;
    this.readBuffer.clear();
    if (!child) return;
    this.child = undefined;
    child.stdin?.end();
    if (await within(this.closed, STDIN_GRACE_MS)) return;
    signal(child, "SIGTERM");
    if (await within(this.closed, TERM_GRACE_MS)) return;
    signal(child, "SIGKILL");
  }

  private receive(chunk: Buffer): void {
    try {
      this.readBuffer.append(chunk);
    } catch (error) {
      // The child wrote a line longer than the SDK's limit: it is not speaking MCP.
      this.onerror?.(error as Error);
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (error) {
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }
}
