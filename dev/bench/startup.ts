/**
 * Start-up time of `npm start` as a person sees it: from running the command to the line that
 * says everything is ready (Node, module loading, the Worker bundle, IdP, gateway, Miniflare),
 * measured on separate runs with temporary state; the first run also generates the secrets.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DEV_STACK_ENV } from "../src/stack";
import { REPO_ROOT } from "../src/wrangler-settings";
import { QUIET_WRANGLER_ENV } from "@mcpbox/shared";

const READY_LINE = "Press Ctrl-C to stop everything.";

/** Milliseconds from spawning `npm start` to its ready line, for each of `runs` runs. */
export async function measureStartup(runs: number): Promise<number[]> {
  const stateRoot = await mkdtemp(path.join(os.tmpdir(), "mcpbox-bench-start-"));
  const times: number[] = [];
  try {
    for (let run = 0; run < runs; run++) times.push(await startOnce(stateRoot));
  } finally {
    await rm(stateRoot, { recursive: true, force: true });
  }
  return times;
}

function startOnce(stateRoot: string): Promise<number> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? stateRoot,
    ...QUIET_WRANGLER_ENV,
    [DEV_STACK_ENV.workerPort]: "0",
    [DEV_STACK_ENV.idpPort]: "0",
    [DEV_STACK_ENV.gatewayPort]: "0",
    [DEV_STACK_ENV.stateDir]: path.join(stateRoot, "state"),
    [DEV_STACK_ENV.devVarsFile]: path.join(stateRoot, ".dev.vars"),
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("npm", ["start", "--silent"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let readyAt: number | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (readyAt === undefined && output.includes(READY_LINE)) {
        readyAt = performance.now() - started;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    child.once("exit", () => (readyAt === undefined ? reject(new Error(`npm start exited before it was ready:\n${output}`)) : resolve(readyAt)));
  });
}
