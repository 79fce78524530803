/**
 * Keeps cloudflared running for `npm run connect`: starts it, copies its output to a log file,
 * reports the first "Registered tunnel connection" of each run as one status line, starts it again
 * with backoff (restart-policy.ts) when it exits, and stops it on request: SIGTERM to its process
 * group, SIGKILL if it does not end within the grace period (or at once when forced).
 */
import type { ChildProcess } from "node:child_process";
import type { WriteStream } from "node:fs";
import { startCloudflared } from "./cloudflared";
import { nextQuickExits, restartDelayMs } from "./restart-policy";

/** How long cloudflared may take to finish in-flight requests after SIGTERM. */
export const CLOUDFLARED_STOP_GRACE_MS = 35_000;

export interface SupervisorDeps {
  bin: string;
  version: string;
  env: NodeJS.ProcessEnv;
  log: WriteStream;
  logPath: string;
  status: (text: string) => void;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  now: () => number;
}

export interface Supervisor {
  /** Resolves once cloudflared has stopped and will not start again. */
  stop(force?: boolean): Promise<void>;
}

export function superviseCloudflared(deps: SupervisorDeps): Supervisor {
  const stopping = new AbortController();
  let current: ChildProcess | undefined;
  let quickExits = 0;

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const startedAt = deps.now();
      const child = startCloudflared(deps.bin, deps.env, "pipe");
      current = child;
      const exited = new Promise<string>((resolve) => {
        child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
        child.once("error", (error) => resolve(error.message));
      });
      let announced = false;
      const onOutput = (chunk: Buffer) => {
        deps.log.write(chunk);
        if (announced) return;
        const registered = /Registered tunnel connection.*?location=(\S+)/.exec(chunk.toString());
        if (registered) {
          announced = true;
          deps.status(`connected to Cloudflare (${registered[1]})`);
        }
      };
      child.stdout?.on("data", onOutput);
      child.stderr?.on("data", onOutput);
      deps.status(`running ${deps.version} (pid ${child.pid}); log: ${deps.logPath}`);
      const how = await exited;
      current = undefined;
      if (stopping.signal.aborted) return;
      quickExits = nextQuickExits(quickExits, deps.now() - startedAt);
      const delay = restartDelayMs(quickExits);
      deps.status(`exited (${how}); starting it again in ${delay / 1000} s (see ${deps.logPath})`);
      await deps.sleep(delay, stopping.signal).catch(() => undefined);
    }
  })();

  return {
    async stop(force = false) {
      stopping.abort();
      const child = current;
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        signalGroup(child.pid, force ? "SIGKILL" : "SIGTERM");
        const timer = setTimeout(() => signalGroup(child.pid as number, "SIGKILL"), force ? 0 : CLOUDFLARED_STOP_GRACE_MS);
        await gone;
        clearTimeout(timer);
      }
      await loop;
    },
  };
}

/** Signals cloudflared's process group (it leads one); a group already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
