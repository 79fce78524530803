/**
 * The benchmark's instrumented Worker: the production Worker (worker/src/index.ts, bundled by
 * `wrangler deploy --dry-run` with wrangler.toml as a deploy does) behind a bench-only entry
 * that wraps it with probe.ts, run in a Miniflare (workerd) of its own with the V8 inspector
 * open. Reports the workerd process id so the benchmark can read that process's CPU time.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { WorkerSecretName } from "@mcpbox/shared";
import { buildWorkerBundle, startWorkerInMiniflare, type RunningWorker } from "../../src/worker-miniflare";
import { REPO_ROOT } from "../../src/wrangler-settings";

const PROBE_SOURCE = fileURLToPath(new URL("./probe.ts", import.meta.url));
const WORKER_ENTRY = path.join(REPO_ROOT, "worker", "src", "index.ts");

export interface ProbeWorker {
  worker: RunningWorker;
  /** `http://127.0.0.1:<port>`: the Worker's direct socket, as `npm start` serves it. */
  url: string;
  /** `ws://127.0.0.1:<port>/core:user:<name>`: the inspector session of the Worker's isolate. */
  inspectorUrl: string;
  /** The workerd process running it (only this Worker: no other user Worker shares it). */
  workerdPid: number;
  /** The bundle's entry module (index.js), for mapping profile positions to sources. */
  bundleEntry: string;
  dispose(): Promise<void>;
}

/** Builds the bundle, adds the probe entry next to it, and starts it in its own workerd. */
export async function startProbeWorker(input: {
  workerName: string;
  secrets: Record<WorkerSecretName, string>;
  tunnelAddress: string;
}): Promise<ProbeWorker> {
  const entryDir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-bench-probe-"));
  const entry = path.join(entryDir, "index.ts");
  // The probe's module is evaluated first, so crypto.subtle is wrapped before the Worker's modules run.
  await writeFile(
    entry,
    `import { instrument } from ${JSON.stringify(PROBE_SOURCE)};\nimport worker from ${JSON.stringify(WORKER_ENTRY)};\nexport default instrument(worker);\n`,
  );
  const bundle = await buildWorkerBundle(path.join(entryDir, "bundle"), undefined, entry);

  const before = await childPids();
  const worker = await startWorkerInMiniflare({
    bundle,
    secrets: input.secrets,
    tunnelAddress: input.tunnelAddress,
    directPort: 0,
    inspectorPort: 0,
    onLog: () => undefined,
  });
  const started = [...(await childPids())].filter((pid) => !before.has(pid));
  if (started.length !== 1 || started[0] === undefined) throw new Error(`expected one new workerd process, found ${started.length}`);
  if (!worker.directUrl) throw new Error("the probe Worker has no direct socket");
  const inspector = await worker.miniflare.getInspectorURL();
  return {
    worker,
    url: worker.directUrl,
    inspectorUrl: new URL(`/core:user:${input.workerName}`, inspector).href,
    workerdPid: started[0],
    bundleEntry: bundle.entry,
    async dispose() {
      await worker.dispose();
      await rm(entryDir, { recursive: true, force: true });
    },
  };
}

/** Process ids of this process's children (Linux /proc). */
async function childPids(): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const task of await readdir("/proc/self/task")) {
    const text = await readFile(`/proc/self/task/${task}/children`, "utf8");
    for (const pid of text.trim().split(/\s+/).filter(Boolean)) pids.add(Number(pid));
  }
  return pids;
}
