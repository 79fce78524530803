/**
 * The processes a benchmark run compares, each in its own process as in production: the gateway
 * (`src/main.ts`, audit log to a temporary file), server-everything over HTTP and stdio, and
 * supergateway in front of the same stdio server.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GATEWAY_ENV } from "@mcpbox/shared";
import { freePort } from "@mcpbox/dev/test-kit/node";

const require = createRequire(import.meta.url);
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const BARE_RELAY = fileURLToPath(new URL("./bare-relay.ts", import.meta.url));
const SUPERGATEWAY = join(require.resolve("supergateway/package.json"), "..", "dist", "index.js");

export interface Running {
  readonly url: string;
  readonly pid: number;
  close(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

/** Spawns `node [--import tsx] <script>`; resolves with its /mcp URL once it printed its ready line. */
async function startScript(
  what: string,
  nodeArgs: readonly string[],
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<Running> {
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /ready on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(`${match[1]}/mcp`);
    });
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code}: ${seen}`)));
  });
  child.stderr?.resume();
  return { url, pid: child.pid as number, close: () => stop(child) };
}

/** Starts `src/main.ts` (or a bundle of it) with `env` and extra Node flags (e.g. `--cpu-prof`). */
export function startGatewayProcess(env: Record<string, string>, nodeArgs: readonly string[] = [], script = MAIN): Promise<Running> {
  return startScript("gateway", nodeArgs, script, [], { [GATEWAY_ENV.port]: "0", ...env });
}

/** Starts the bare `node:http` reference relay (bare-relay.ts) in front of `upstreamUrl`. */
export function startBareRelay(
  upstreamUrl: string,
  token: string,
  nodeArgs: readonly string[] = [],
  script = BARE_RELAY,
): Promise<Running> {
  return startScript("bare relay", nodeArgs, script, [upstreamUrl, token], {});
}

function waitForPort(port: number): Promise<void> {
  return new Promise((resolve) => {
    const attempt = () => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => setTimeout(attempt, 50));
    };
    attempt();
  });
}

/**
 * Starts supergateway's Streamable HTTP output (logging off) in front of `stdioCommand`:
 * `stateful` keeps one child per session like the gateway; otherwise its default, a child per request.
 */
export async function startSupergateway(stdioCommand: string, stateful: boolean): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      SUPERGATEWAY,
      "--stdio",
      stdioCommand,
      "--outputTransport",
      "streamableHttp",
      ...(stateful ? ["--stateful"] : []),
      "--port",
      String(port),
      "--logLevel",
      "none",
    ],
    // supergateway exits when its stdin closes: keep a pipe open for its lifetime.
    { env: { PATH: process.env.PATH ?? "" }, stdio: ["pipe", "ignore", "ignore"] },
  );
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}/mcp`, pid: child.pid as number, close: () => stop(child) };
}
