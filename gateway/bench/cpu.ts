/**
 * CPU time of processes, read from Linux /proc, so the benchmark can show where each call's
 * CPU goes (relay vs MCP server vs everything else on a shared machine). NaN where /proc is absent.
 */
import { processTree, statFields } from "@mcpbox/dev/test-kit/node";

// Linux reports utime/stime in clock ticks; 100 per second on every common configuration.
const TICK_MS = 10;

/** CPU milliseconds (user + system) used so far by `pid`, or NaN. */
export function cpuMs(pid: number): number {
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
