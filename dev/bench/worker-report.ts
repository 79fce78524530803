/**
 * The "Worker inside workerd" part of the dev section of docs/benchmarks.md: what one authorized
 * /mcp call does (KV, crypto.subtle, tunnel fetches), the Worker's own time and the workerd
 * process's CPU per call against the free plan's 10 ms, and where the isolate's samples fall.
 * Pure formatting of one run's figures.
 */
import { WORKER_BINDINGS } from "@mcpbox/shared";
import { ms } from "./timing";
import type { WorkerInside, WorkerPhase } from "./worker-probe/measure";
import type { ProfileArea } from "./worker-probe/profile-summary";

/** Cloudflare's Workers Free plan: CPU time per request. */
const FREE_PLAN_CPU_MS = 10;

const AREA_LABELS: Record<ProfileArea, string> = {
  worker: "our Worker code (worker/src, shared/), with the runtime APIs it calls",
  "oauth-library": "the OAuth library, with the crypto and KV calls it makes",
  "other-packages": "other packages",
  runtime: "the runtime itself (request and response plumbing, promise jobs)",
  gc: "garbage collection",
  probe: "the bench probe's own counting",
};

interface PerCall {
  handler: number;
  kvWait: number;
  serviceWait: number;
  own: number;
  cpuMain: number;
  cpuTotal: number;
}

function perCall(phase: WorkerPhase): PerCall {
  const { stats, cpu, calls } = phase;
  const handler = stats.handlerMs / calls;
  const kvWait = stats.kvWaitMs / calls;
  const serviceWait = stats.serviceWaitMs / calls;
  return { handler, kvWait, serviceWait, own: handler - kvWait - serviceWait, cpuMain: cpu.mainMs / calls, cpuTotal: cpu.totalMs / calls };
}

/** A count per call: whole numbers as such, anything else with two decimals (a sign of trouble). */
function count(total: number | undefined, calls: number): string {
  const value = (total ?? 0) / calls;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function kvRow(phase: WorkerPhase): string {
  const kv = (method: string) => phase.stats.kv[`${WORKER_BINDINGS.oauthKv}.${method}`] ?? 0;
  const n = (value: number) => count(value, phase.calls);
  return `${n(kv("get") + kv("getWithMetadata"))} / ${n(kv("put"))} / ${n(kv("delete"))} / ${n(kv("list"))}`;
}

function subtleRow(phase: WorkerPhase): string {
  const entries = Object.entries(phase.stats.subtle).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "none";
  const total = entries.reduce((sum, [, value]) => sum + value, 0);
  return `${entries.map(([name, value]) => `${name} ${count(value, phase.calls)}`).join(", ")} (${count(total, phase.calls)} in all)`;
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

const headroom = (value: number) => `${(FREE_PLAN_CPU_MS / value).toFixed(0)}× under the limit (${((value / FREE_PLAN_CPU_MS) * 100).toFixed(1)}% of it)`;

/**
 * `workerShareP50Ms` is the Worker's share of the full path's p50 measured above (through the
 * Worker minus through the gateway only), which the own time is set against.
 */
export function workerInsideMarkdown(inside: WorkerInside, rounds: number, workerShareP50Ms: number): string {
  const mcp = perCall(inside.mcp);
  const health = perCall(inside.health);
  const tunnelFetches = count(inside.mcp.stats.service[`${WORKER_BINDINGS.tunnel}.fetch`], inside.mcp.calls);
  const { profile } = inside;
  const areaRows = (Object.keys(AREA_LABELS) as ProfileArea[])
    .filter((area) => profile.areas[area] > 0)
    .sort((a, b) => profile.areas[b] - profile.areas[a])
    .map((area) => `| ${AREA_LABELS[area]} | ${pct(profile.areas[area])} |`);
  const frameRows = profile.top.map((frame) => `| \`${frame.label}\` | ${frame.area} | ${pct(frame.share)} |`);

  return `### The Worker inside workerd

After the latency rounds, the same Worker (bundled from \`worker/src\` by \`wrangler deploy --dry-run\`
with wrangler.toml) runs in a workerd of its own behind a bench-only entry (\`dev/bench/worker-probe\`)
that counts its KV and \`crypto.subtle\` calls and times its waits; it signs in like any client and
relays ${rounds} tools/call echo requests to the stack's gateway, one at a time. Nothing of the probe
is in the deployed bundle. Of the Worker's +${ms(workerShareP50Ms)} ms at p50 above, its own work is
${ms(mcp.own)} ms; the rest is the local KV and workerd's HTTP work on the two loopback hops.

| per request | authorized /mcp (tools/call echo) | GET /health (for scale) |
|---|---:|---:|
| KV reads / writes / deletes / lists (\`${WORKER_BINDINGS.oauthKv}\`) | ${kvRow(inside.mcp)} | ${kvRow(inside.health)} |
| \`crypto.subtle\` operations | ${subtleRow(inside.mcp)} | ${subtleRow(inside.health)} |
| tunnel fetches (\`${WORKER_BINDINGS.tunnel}\`) | ${tunnelFetches} | 0 |
| handler time: \`fetch()\` called → Response returned (ms) | ${ms(mcp.handler)} | ${ms(health.handler)} |
| − waiting for KV (Miniflare's local KV) (ms) | ${ms(mcp.kvWait)} | – |
| − waiting for the gateway's response headers (loopback hop, gateway, MCP server) (ms) | ${ms(mcp.serviceWait)} | – |
| **= the Worker's own time in its isolate** (ms) | **${ms(mcp.own)}** | ${ms(health.own)} |
| workerd CPU, main thread: the Worker, Miniflare's KV, both loopback HTTP hops (ms) | ${ms(mcp.cpuMain)} | ${ms(health.cpuMain)} |
| workerd CPU, all threads (adds V8's background compiler and GC) (ms) | ${ms(mcp.cpuTotal)} | ${ms(health.cpuTotal)} |

**Free plan (${FREE_PLAN_CPU_MS} ms of CPU per request).** workerd does not measure a request's CPU time
locally (its tail events report \`cpuTime\` 0), so the figure is bounded from both sides: the Worker's own
time, ${ms(mcp.own)} ms, is ${headroom(mcp.own)}; the whole workerd process's CPU per call, which also
runs the local KV store and both loopback HTTP exchanges that the edge does elsewhere, is
${ms(mcp.cpuTotal)} ms, ${headroom(mcp.cpuTotal)}. Local workerd's clock ticks in whole milliseconds, so
the own time is a mean over ${rounds} calls (each reads 0 or 1 ms), and it is wall time: on a busy
machine it includes time the isolate's thread waited for a core. It also includes the probe's own
counting, ${pct(profile.areas.probe)} of the profile's samples below: the Worker alone is nearer
${ms(mcp.own * (1 - profile.areas.probe))} ms.

Revocation stays immediate: every call reads its token's record from KV (the one read above), and
nothing caches a validated token in the isolate.

Where the isolate's time goes (V8 CPU profile of ${rounds} more calls, share of ${profile.samples} non-idle samples;
a sample counts for the nearest frame of ours or the library's on its stack):

| area | share |
|---|---:|
${areaRows.join("\n")}

| frame (self time) | area | share |
|---|---|---:|
${frameRows.join("\n")}`;
}
