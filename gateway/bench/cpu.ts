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

/** CPU milliseconds (user + system) used so far by `pid`, or NaN. */
export function cpuMs(pid: number): number {
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
