/**
 * CPU time of processes, read from Linux /proc, so the benchmark can show where each call's
 * CPU goes (relay vs MCP server vs everything else on a shared machine). NaN where /proc is absent.
 */
import { readFileSync, readdirSync } from "node:fs";
import { processTree, statFields } from "@mcpbox/dev/test-kit/node";

// Linux reports utime/stime in clock ticks; 100 per second on every common configuration.
const TICK_MS = 10;

/**
 * CPU time its live threads have run, in ms, from each thread's schedstat (nanoseconds, where
 * /proc/<pid>/stat counts 10 ms ticks: a 1 s round of a relay at 0.3 ms per call is only ~30
 * ticks). Undefined when the kernel offers no schedstat.
 */
function threadRunTimeMs(pid: number): number | undefined {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    // No schedstat, or the process (or one thread) ended while we read it.
    return undefined;
  }
  return Number.isFinite(total) ? total / 1e6 : undefined;
}

/** CPU milliseconds (user + system) used so far by `pid`, or NaN. */
export function cpuMs(pid: number): number {
  const precise = threadRunTimeMs(pid);
  if (precise !== undefined) return precise;
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) * TICK_MS : Number.NaN;
}

/** Snapshot of the CPU used by every process in the trees of `roots`. */
export function snapshot(roots: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const root of roots) for (const pid of processTree(root)) out.set(pid, cpuMs(pid));
  return out;
}

/** CPU used between two snapshots, processes that ended in between included up to their last sample. */
export function used(before: Map<number, number>, after: Map<number, number>, only?: number): number {
  let total = 0;
  for (const [pid, end] of after) {
    if (only !== undefined && pid !== only) continue;
    total += end - (before.get(pid) ?? 0);
  }
  return total;
}
