/**
 * The local stack in a process of its own for the benchmark, so the measuring client does not
 * share an event loop with the gateway (as in production, where they are far apart). Configured
 * from its environment like `npm start`; once it is ready, also starts the instrumented Worker
 * (worker-probe/) in a workerd of its own, reports the addresses over IPC and stops on "stop".
 */
import { workerCallbackUris, loadStackConfig, workerSecrets, silentStackLog, startStack } from "../src/stack";
import { readWorkerSettings } from "../src/wrangler-settings";
import { startProbeWorker, type ProbeWorker } from "./worker-probe/probe-worker";

/** The instrumented Worker, as the parent needs it (see worker-probe/probe-worker.ts). */
export interface ProbeWorkerInfo {
  url: string;
  inspectorUrl: string;
  workerdPid: number;
  bundleEntry: string;
}

/** What the process sends its parent once the stack is ready. */
export interface StackProcessReady {
  kind: "ready";
  urls: { mcp: string; worker: string; gateway: string };
  /** Miniflare's entry socket in front of the same Worker (for the latency breakdown). */
  entryUrl: string;
  serviceToken: string;
  timings: { readyMs: number; bundleMs: number; workerStartMs: number };
  probe: ProbeWorkerInfo;
}

if (!process.send) throw new Error("stack-process.ts runs as a child process with an IPC channel");
const stack = await startStack(loadStackConfig(process.env), { log: silentStackLog });
const probe = await startProbe().catch(async (error: unknown) => {
  await stack.stop();
  throw error;
});

/** The instrumented Worker next to the stack, reaching its gateway and signing in at its IdP. */
async function startProbe(): Promise<ProbeWorker> {
  const idp = stack.idp.current;
  if (!idp) throw new Error("the stack's IdP is not running");
  const started = await startProbeWorker({
    workerName: readWorkerSettings().name,
    secrets: workerSecrets(stack.secrets, idp),
    tunnelAddress: new URL(stack.urls.gateway).host,
  });
  const portOf = (url: string) => Number(new URL(url).port);
  idp.setRedirectUris([stack.urls.worker, stack.worker.url, started.url].flatMap((url) => workerCallbackUris(portOf(url))));
  return started;
}

const ready: StackProcessReady = {
  kind: "ready",
  urls: stack.urls,
  entryUrl: stack.worker.url,
  serviceToken: stack.secrets.MCPBOX_SERVICE_TOKEN,
  timings: stack.timings,
  probe: { url: probe.url, inspectorUrl: probe.inspectorUrl, workerdPid: probe.workerdPid, bundleEntry: probe.bundleEntry },
};
process.send(ready);
const stop = () =>
  void probe
    .dispose()
    .then(() => stack.stop())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
process.on("message", (message) => {
  if (message === "stop") stop();
});
process.on("disconnect", stop);
