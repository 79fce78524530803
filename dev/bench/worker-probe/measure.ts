/**
 * The Worker measured from inside workerd, one request at a time through the instrumented
 * Worker: per authorized /mcp call, what it does (KV, crypto.subtle, tunnel fetches) and how long
 * it takes itself (the handler's time minus its waits for KV and the gateway), the CPU of the
 * workerd process per call, the same for GET /health as the floor of any request, and a V8 CPU
 * profile of the isolate taken in a separate pass (sampling slows the code it watches).
 */
import type { ProbeWorkerInfo } from "../stack-process";
import { InspectorSession } from "./inspector";
import { PROBE_PATH, type ProbeStats } from "./probe";
import { cpuSince, readProcessCpu, type ProcessCpu } from "./process-cpu";
import { summarizeProfile, type ProfileSummary } from "./profile-summary";

/** V8's sampling interval for the profile pass (microseconds). */
const PROFILE_INTERVAL_US = 100;

export interface WorkerPhase {
  calls: number;
  stats: ProbeStats;
  cpu: ProcessCpu;
}

export interface WorkerInside {
  mcp: WorkerPhase;
  health: WorkerPhase;
  profile: ProfileSummary;
}

export interface WorkerInsideInput {
  probe: ProbeWorkerInfo;
  /** One authorized /mcp call through the probe Worker (a tools/call echo). */
  mcpCall: () => Promise<void>;
  /** One GET /health at the probe Worker. */
  healthCall: () => Promise<void>;
  rounds: number;
  warmup: number;
}

export async function measureWorkerInside(input: WorkerInsideInput): Promise<WorkerInside> {
  for (let i = 0; i < input.warmup; i++) {
    await input.mcpCall();
    await input.healthCall();
  }
  const mcp = await phase(input.probe, input.mcpCall, input.rounds);
  const health = await phase(input.probe, input.healthCall, input.rounds);

  const session = await InspectorSession.connect(input.probe.inspectorUrl);
  let profile: ProfileSummary;
  try {
    await session.startProfiling(PROFILE_INTERVAL_US);
    for (let i = 0; i < input.rounds; i++) await input.mcpCall();
    profile = await summarizeProfile(await session.stopProfiling(), input.probe.bundleEntry);
  } finally {
    session.close();
  }
  return { mcp, health, profile };
}

async function phase(probe: ProbeWorkerInfo, call: () => Promise<void>, calls: number): Promise<WorkerPhase> {
  await probeStats(probe, true);
  const before = await readProcessCpu(probe.workerdPid);
  for (let i = 0; i < calls; i++) await call();
  const cpu = cpuSince(before, await readProcessCpu(probe.workerdPid));
  const stats = await probeStats(probe, true);
  if (stats.requests !== calls) throw new Error(`the probe Worker saw ${stats.requests} requests, expected ${calls}`);
  if (stats.maxInFlight !== 1) throw new Error("requests overlapped in the probe Worker: its per-call figures would be wrong");
  return { calls, stats, cpu };
}

async function probeStats(probe: ProbeWorkerInfo, reset: boolean): Promise<ProbeStats> {
  const response = await fetch(`${probe.url}${PROBE_PATH}${reset ? "?reset=1" : ""}`);
  if (!response.ok) throw new Error(`the probe Worker answered ${response.status}`);
  return parseStats(await response.json());
}

function parseStats(value: unknown): ProbeStats {
  const counts = (v: unknown): v is Record<string, number> =>
    typeof v === "object" && v !== null && Object.values(v).every((n) => typeof n === "number");
  if (typeof value !== "object" || value === null) throw new Error("the probe's answer is not an object");
  const s = value as Record<string, unknown>;
  const numbers = ["requests", "maxInFlight", "envObjects", "handlerMs", "kvWaitMs", "serviceWaitMs"] as const;
  for (const name of numbers) if (typeof s[name] !== "number") throw new Error(`the probe's answer lacks ${name}`);
  if (!counts(s.kv) || !counts(s.subtle) || !counts(s.service)) throw new Error("the probe's answer lacks its counters");
  return s as unknown as ProbeStats;
}
