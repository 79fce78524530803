/**
 * Real processes for the tests: `@modelcontextprotocol/server-everything` over Streamable HTTP
 * (a child on a chosen port) and as a stdio command line. What the operating system says about
 * processes (pids, children, groups) comes from `@mcpbox/dev/test-kit/node`.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@mcpbox/dev/test-kit/node";
import { joinCommandLine } from "../../src/upstream/command-line";
import { defaultUpstreamCommand, everythingEntry } from "../../src/upstream/default-command";

const HELPERS_DIR = dirname(fileURLToPath(import.meta.url));

/** MCP_UPSTREAM_COMMAND running server-everything over stdio (the gateway's own default). */
export function everythingStdioCommand(): string {
  return defaultUpstreamCommand();
}

/** MCP_UPSTREAM_COMMAND running a TypeScript test helper server through tsx, with `args`. */
export function helperStdioCommand(file: string, ...args: string[]): string {
  return joinCommandLine([process.execPath, "--import", "tsx", join(HELPERS_DIR, file), ...args]);
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
    const child = spawn(process.execPath, [everythingEntry(), "streamableHttp"], {
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
