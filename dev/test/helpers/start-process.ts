/**
 * Runs `npm start` (or the start script directly) as a separate process, the way a person does,
 * with its state in a temporary folder: collects its output, resolves when a given line appears,
 * and can always kill whatever it left behind so a failing test cleans up too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEV_STACK_ENV } from "../../src/stack";
import { REPO_ROOT } from "../../src/wrangler-settings";
import { descendants, isRunning } from "../../src/test-kit/node";

export interface StartProcess {
  readonly child: ChildProcess;
  readonly stateRoot: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the output once it contains `text`; rejects if the process exits first. */
  waitFor(text: string): Promise<string>;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process and every descendant still alive, then deletes the state folder. */
  cleanup(): Promise<void>;
}

/** Starts `npm start` (`via: "npm"`) or `node --import tsx dev/src/start.ts` with ports 0 unless given. */
export async function runStart(options: { via: "npm" | "node"; env?: Record<string, string> }): Promise<StartProcess> {
  const stateRoot = await mkdtemp(path.join(os.tmpdir(), "mcpbox-start-"));
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? stateRoot,
    [DEV_STACK_ENV.workerPort]: "0",
    [DEV_STACK_ENV.idpPort]: "0",
    [DEV_STACK_ENV.gatewayPort]: "0",
    [DEV_STACK_ENV.stateDir]: path.join(stateRoot, "state"),
    [DEV_STACK_ENV.devVarsFile]: path.join(stateRoot, ".dev.vars"),
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    ...options.env,
  };
  const [command, args] = options.via === "npm" ? ["npm", ["start", "--silent"]] : [process.execPath, ["--import", "tsx", "dev/src/start.ts"]];
  // Its own process group, so cleanup can reach every descendant even if the test fails midway.
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let text = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const listener of [...listeners]) listener();
      resolve({ code, signal });
    }),
  );
  const seen = new Set<number>();
  const remember = () => {
    if (child.pid) for (const pid of descendants(child.pid)) seen.add(pid);
  };
  return {
    child,
    stateRoot,
    output: () => text,
    waitFor: (needle) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (text.includes(needle)) {
            listeners.delete(check);
            remember();
            resolve(text);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check);
            reject(new Error(`the process exited before printing "${needle}":\n${text}`));
          }
        };
        listeners.add(check);
        check();
      }),
    exited,
    async cleanup() {
      remember();
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
        }
      }
      for (const pid of seen) if (isRunning(pid)) process.kill(pid, "SIGKILL");
      await rm(stateRoot, { recursive: true, force: true });
    },
  };
}
