/**
 * The local stack in a process of its own for the benchmark, so the measuring client does not
 * share an event loop with the gateway (as in production, where they are far apart). Configured
 * from its environment like `npm start`; reports its addresses over IPC and stops on "stop".
 */
import { loadStackConfig } from "../src/stack/config";
import { silentStackLog } from "../src/stack/log";
import { startStack } from "../src/stack/stack";

/** What the process sends its parent once the stack is ready. */
export interface StackProcessReady {
  kind: "ready";
  urls: { mcp: string; worker: string; gateway: string };
  /** Miniflare's entry socket in front of the same Worker (for the latency breakdown). */
  entryUrl: string;
  serviceToken: string;
  timings: { readyMs: number; bundleMs: number; workerStartMs: number };
}

if (!process.send) throw new Error("stack-process.ts runs as a child process with an IPC channel");
const stack = await startStack(loadStackConfig(process.env), { log: silentStackLog });
const ready: StackProcessReady = {
  kind: "ready",
  urls: stack.urls,
  entryUrl: stack.worker.url,
  serviceToken: stack.secrets.MCPBOX_SERVICE_TOKEN,
  timings: stack.timings,
};
process.send(ready);
const stop = () => void stack.stop().then(() => process.exit(0), () => process.exit(1));
process.on("message", (message) => {
  if (message === "stop") stop();
});
process.on("disconnect", stop);
