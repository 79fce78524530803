/**
 * Ctrl-C and SIGTERM for `npm start`: the first signal stops every component in order (the Worker,
 * the gateway with its child processes, the IdP) and exits 0; another one a moment later exits at
 * once. A signal that arrives while the stack is still starting stops it as soon as it is up.
 */
import type { StackLog } from "./log";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ctrl-C reaches this process twice (from the terminal, and forwarded by npm): repeats within
 * this window are the same keypress, not a request to give up on a clean stop.
 */
const REPEAT_WINDOW_MS = 1000;

/**
 * Miniflare installs its own SIGINT/SIGTERM/SIGHUP listeners that kill workerd and call
 * process.exit() at once, which would cut the gateway's drain and leave its stdio MCP servers
 * behind. Once the stack is up, those listeners are removed so ours stop everything in order
 * (Miniflare's `exit` listener stays as a safety net that still kills workerd on any exit).
 */
export function removeForeignSignalListeners(ours: (signal: NodeJS.Signals) => void): number {
  let removed = 0;
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (listener === ours) continue;
      if (/^onSignal(Int|Term|Hup)$/.test(listener.name)) {
        process.removeListener(signal, listener);
        removed++;
      }
    }
  }
  return removed;
}
export interface Stoppable {
  stop(): Promise<void>;
}

export interface ShutdownControl {
  /** Hands over the started stack; stops it at once if a signal came during start-up. */
  started(stack: Stoppable): void;
  /** True once a stop signal was received. */
  readonly requested: boolean;
}

/** Installs the signal handlers; `exit` is process.exit in start.ts. */
export function handleShutdown(log: StackLog, exit: (code: number) => never): ShutdownControl {
  let stack: Stoppable | undefined;
  let requested = false;
  let stopping = false;
  let firstSignalAt = 0;

  const stop = () => {
    if (!stack || stopping) return;
    stopping = true;
    log("stack", "info", "stopping: the Worker, then the gateway and its MCP server processes, then the IdP");
    stack.stop().then(
      () => {
        log("stack", "info", "stopped");
        exit(0);
      },
      (error: unknown) => {
        log("stack", "error", `did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
      log("stack", "warn", `${signal} again: exiting without waiting`);
      exit(1);
    }
    requested = true;
    firstSignalAt = Date.now();
    stop();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return {
    started(running) {
      stack = running;
      removeForeignSignalListeners(onSignal);
      if (requested) stop();
    },
    get requested() {
      return requested;
    },
  };
}
