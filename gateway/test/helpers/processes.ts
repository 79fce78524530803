/**
 * Real processes for the tests: `@modelcontextprotocol/server-everything` over Streamable HTTP
 * (a child on a chosen port) and as a stdio command line, plus process-table helpers that look
 * at the operating system, not at what the gateway reports.
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { statFields } from "../../bench/cpu";

const require = createRequire(import.meta.url);
/** server-everything's launcher: `node <this> stdio|streamableHttp`. */
export const EVERYTHING_ENTRY = join(dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist", "index.js");
const HELPERS_DIR = dirname(fileURLToPath(import.meta.url));

/** Quotes one word for MCP_UPSTREAM_COMMAND. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** MCP_UPSTREAM_COMMAND running server-everything over stdio. */
export function everythingStdioCommand(): string {
  return [process.execPath, EVERYTHING_ENTRY, "stdio"].map(shellQuote).join(" ");
}

/** MCP_UPSTREAM_COMMAND running a TypeScript test helper server through tsx, with `args`. */
export function helperStdioCommand(file: string, ...args: string[]): string {
  return [process.execPath, "--import", "tsx", join(HELPERS_DIR, file), ...args].map(shellQuote).join(" ");
}

/** A port that was free a moment ago (for servers that cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  readonly url: string;
  readonly pid: number;
  close(): Promise<void>;
}

/** Starts server-everything in streamableHttp mode; resolves once it listens. */
export async function startEverythingHttp(): Promise<RunningServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [EVERYTHING_ENTRY, "streamableHttp"], {
      env: { PATH: process.env.PATH ?? "", PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const listening = await new Promise<boolean>((resolve) => {
      let seen = "";
      child.stderr.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("listening on port")) resolve(true);
      });
      child.once("exit", () => resolve(false));
    });
    if (listening) {
      return {
        url: `http://127.0.0.1:${port}/mcp`,
        pid: child.pid as number,
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      };
    }
    if (attempt >= 3) throw new Error("server-everything did not start");
  }
}

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Pids of the live children of `parent` whose command line contains `marker` (Linux /proc). */
export function childPids(parent: number, marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (state !== "Z" && cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked at it: it is not a live child.
      continue;
    }
  }
  return pids;
}

/** True while the process runs: exists and is not a zombie waiting for a parent to reap it. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z";
}

/** The process group a process belongs to (Linux /proc). */
export function processGroupOf(pid: number): number | undefined {
  const group = statFields(pid)?.[2];
  return group === undefined ? undefined : Number(group);
}
