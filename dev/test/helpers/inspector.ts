/**
 * MCP Inspector (npm `@modelcontextprotocol/inspector`, v2) as the end-to-end tests run it: its own
 * launcher (the `mcp-inspector` bin that `npx @modelcontextprotocol/inspector` starts) with a
 * temporary HOME, so its catalog, OAuth state and secrets stay in a folder the test deletes.
 * CLI runs are collected to their exit; the web UI is a server on a port chosen at run time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../src/test-kit/node";

const require = createRequire(import.meta.url);
const LAUNCHER = path.join(path.dirname(require.resolve("@modelcontextprotocol/inspector/package.json")), "clients", "launcher", "build", "index.js");

/** A temporary HOME for the Inspector and the environment that points it there. */
export interface InspectorHome {
  dir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * `secretStore`: `file` keeps OAuth tokens between runs (in the temporary HOME), `memory` for
 * one process only. The OS keychain is never used, so no test touches the machine's.
 */
export async function inspectorHome(secretStore: "file" | "memory"): Promise<InspectorHome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-inspector-"));
  return {
    dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, MCP_INSPECTOR_SECRET_STORE: secretStore, NO_COLOR: "1" },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mcp-inspector --cli <args>` to its exit (killed with its output after `limitMs`, a safety net only). */
export function runInspectorCli(args: string[], env: Record<string, string>, limitMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, "--cli", ...args], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const limit = setTimeout(() => {
      killGroup(child);
      reject(new Error(`mcp-inspector --cli ${args[0] ?? ""} did not finish within ${limitMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, limitMs);
    child.on("error", (error) => {
      clearTimeout(limit);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface InspectorWeb {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The URL to open: the origin with the UI's API token in the query, as the launcher prints it. */
  openUrl: string;
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts the web UI (`mcp-inspector --web <args>`) on `port` (and its two MCP Apps sandbox
 * servers on free ports) without opening a browser; resolves once it prints its URL.
 */
export async function startInspectorWeb(args: string[], env: Record<string, string>, port: number): Promise<InspectorWeb> {
  const [sandboxPort, appOriginPort] = await Promise.all([freePort(), freePort()]);
  const child = spawn(process.execPath, [LAUNCHER, "--web", ...args], {
    env: {
      ...env,
      HOST: "127.0.0.1",
      CLIENT_PORT: String(port),
      MCP_SANDBOX_PORT: String(sandboxPort),
      MCP_APP_ORIGIN_PORT: String(appOriginPort),
      MCP_AUTO_OPEN_ENABLED: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let text = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const openUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /running at:\s+(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the Inspector web UI exited (${code}) before it was ready:\n${text}`)));
  });
  return {
    origin: new URL(openUrl).origin,
    openUrl,
    output: () => text,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, "SIGTERM");
      // Open event streams can hold its shutdown; what is left after a while is killed.
      const stopped = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000).unref())]);
      if (!stopped) {
        killGroup(child);
        await exited;
      }
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
