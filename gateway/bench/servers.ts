/**
 * The processes a benchmark run compares, each in its own process as in production: the gateway
 * (as `npm run gateway` and the image run it: bundled; audit log to a temporary file), server-everything over HTTP and stdio, and
 * supergateway in front of the same stdio server.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { GATEWAY_ENV } from "@mcpbox/shared";
import { freePort } from "@mcpbox/dev/test-kit/node";
import { BUNDLE_OPTIONS } from "../image/bundle";

const require = createRequire(import.meta.url);
// `npm run gateway`: the entry point bundled as the container image bundles it.
const RUN_BUNDLED = fileURLToPath(new URL("../src/run-bundled.mjs", import.meta.url));
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

/**
 * Spawns `node [--import tsx] <script>`, behind `prefix` when given (a command that runs node,
 * such as valgrind); resolves with its /mcp URL once it printed its ready line.
 */
async function startScript(
  what: string,
  nodeArgs: readonly string[],
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  prefix: readonly string[] = [],
): Promise<Running> {
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  const [command, ...before] = [...prefix, process.execPath];
  const child = spawn(command as string, [...before, ...nodeArgs, ...loader, script, ...args], {
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

/**
 * Starts the gateway with `env` and extra Node flags (e.g. `--cpu-prof`): as `npm run gateway`
 * runs it (bundled, like the image), or from a bundle already built at `script`; behind `prefix`
 * when given (see startScript).
 */
export function startGatewayProcess(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
  script?: string,
  prefix: readonly string[] = [],
): Promise<Running> {
  const [entry, args] = script === undefined ? [RUN_BUNDLED, ["main"]] : [script, []];
  return startScript("gateway", nodeArgs, entry, args, { [GATEWAY_ENV.port]: "0", ...env }, prefix);
}

/** Bundles the bare relay as the gateway is bundled, so that both run alike (`sourcemap` for profiles). */
export async function bundleBareRelay(outfile: string, sourcemap = false): Promise<string> {
  await build({ ...BUNDLE_OPTIONS, entryPoints: [BARE_RELAY], outfile, ...(sourcemap ? { sourcemap: "external" as const } : {}) });
  return outfile;
}

/** Starts the bare `node:http` reference relay (bare-relay.ts, or its bundle at `script`) in front of `upstreamUrl`. */
export function startBareRelay(
  upstreamUrl: string,
  token: string,
  nodeArgs: readonly string[] = [],
  script = BARE_RELAY,
  prefix: readonly string[] = [],
): Promise<Running> {
  return startScript("bare relay", nodeArgs, script, [upstreamUrl, token], {}, prefix);
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
