/**
 * The real entry point (`src/main.ts`) as a child process of the test: its ready URL, its stderr,
 * its exit. `inOwnGroup` starts it leading a process group, as a shell starts a foreground job,
 * so the test can signal the whole group the way a terminal's Ctrl-C does.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const RUN_BUNDLED = fileURLToPath(new URL("../../src/run-bundled.mjs", import.meta.url));
const started: ChildProcess[] = [];

export interface MainProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the URL of the `ready on …` line. */
  readonly ready: Promise<string>;
  /** Resolves with the exit status (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string): Promise<void>;
}

/**
 * Starts the entry point with `env`. `bundled` runs it as `npm run gateway` does (run-bundled.mjs,
 * under plain node), otherwise the TypeScript itself through tsx.
 */
export function runMain(env: Record<string, string>, options: { inOwnGroup?: boolean; bundled?: boolean } = {}): MainProcess {
  const args = options.bundled ? [RUN_BUNDLED, "main"] : ["--import", "tsx", MAIN];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.inOwnGroup ?? false,
  });
  started.push(child);
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of waiters.filter((w) => stderr.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const ready = new Promise<string>((resolve) => {
    const check = () => {
      const match = /ready on (http:\/\/\S+) /.exec(stderr);
      if (match) resolve(match[1] as string);
      else waiters.push({ text: "ready on", resolve: check });
    };
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    pid: child.pid as number,
    ready,
    exited,
    stderr: () => stderr,
    waitForStderr: (text) => (stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

/** For afterEach: a failed test must not leave a gateway running. */
export function killMains(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
