/**
 * A session's stdio child: newline-delimited JSON-RPC on its stdin/stdout (the MCP stdio
 * transport), framed by line-framer.ts and handed over as text, without parsing or validating
 * anything here. On POSIX the child leads a process group of its own, so a terminal Ctrl-C
 * (SIGINT to the foreground group) reaches only the gateway, whose orderly shutdown then ends the
 * children; the gateway's signals go to the child's whole group. On Windows, where neither groups
 * nor Ctrl-C work that way, the child is signalled alone.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { PassThrough } from "node:stream";
import type { Stream } from "node:stream";
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LineFramer } from "./line-framer";

export interface ChildCommand {
  command: string;
  args: readonly string[];
}

// The MCP stdio shutdown sequence: close stdin, wait, SIGTERM, wait, SIGKILL (as the SDK does).
const STDIN_GRACE_MS = 2_000;
const TERM_GRACE_MS = 2_000;
const POSIX = process.platform !== "win32";

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

/** Signals the child's whole process group, or the child alone if that is refused (or on Windows). */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    if (!POSIX) throw new Error("no process groups");
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

/** The child process of one session. Nothing runs until `start()`. The environment is the SDK's short safe list. */
export class ChildTransport {
  /** Each line the child writes to stdout (without its line break). */
  onLine?: (line: string) => void;
  onError?: (error: Error) => void;
  /** The child has exited and its pipes are closed. */
  onClose?: () => void;
  private child: ChildProcess | undefined;
  private started = false;
  private readonly framer = new LineFramer((line) => this.onLine?.(line));
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
        detached: POSIX,
        windowsHide: !POSIX,
      });
      this.child = child;
      child.once("error", (error) => {
        reject(error);
        this.onError?.(error);
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
        this.onClose?.();
      });
      child.stdin?.on("error", (error) => this.onError?.(error));
      child.stdout?.on("error", (error) => this.onError?.(error));
      child.stdout?.on("data", (chunk: Buffer) => this.receive(chunk));
      child.stderr?.pipe(this.stderrStream);
    });
  }

  /** Writes one message (its JSON text, without a line break) to the child's stdin. False when not running. */
  send(json: string): boolean {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) return false;
    stdin.write(`${json}\n`);
    return true;
  }

  /** Closes stdin, then signals the group if the child does not exit in time (onClose tells when it is gone). */
  async close(): Promise<void> {
    const child = this.child;
    this.framer.clear();
    if (!child) return;
    this.child = undefined;
    child.stdin?.end();
    if (await within(this.closed, STDIN_GRACE_MS)) return;
    signal(child, "SIGTERM");
    if (await within(this.closed, TERM_GRACE_MS)) return;
    signal(child, "SIGKILL");
  }

  private receive(chunk: Buffer): void {
    if (this.framer.push(chunk)) return;
    // A line longer than the MCP SDK allows: the child is not speaking MCP.
    this.onError?.(new Error("the MCP server wrote a line longer than 10 MiB to stdout; ending it"));
    void this.close();
  }
}
