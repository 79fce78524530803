/**
 * CPU time of processes, read from Linux /proc, so the benchmark can show where each call's
 * CPU goes (relay vs MCP server vs everything else on a shared machine). NaN where /proc is absent.
 */
import { readFileSync, readdirSync } from "node:fs";

// Linux reports utime/stime in clock ticks; 100 per second on every common configuration.
const TICK_MS = 10;

/** The fields of /proc/<pid>/stat after the command name, or undefined once the pid is gone. */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    // No such process (any more).
    return undefined;
  }
}

/**
 * CPU time its live threads have run, in ms, from each thread's schedstat (nanoseconds, where
 * /proc/<pid>/stat counts 10 ms ticks: a 1 s round of a relay at 0.3 ms per call is only ~30
 * ticks). Undefined when the kernel offers no schedstat.
 */
function threadRunTimeMs(pid: number): number | undefined {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
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

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [pid];
  }
  for (const entry of entries) {
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)?.push(Number(entry));
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const child of children.get(p) ?? []) walk(child);
  };
  walk(pid);
  return out;
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
