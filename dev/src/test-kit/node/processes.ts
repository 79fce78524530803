/**
 * The operating system's view of processes (Linux /proc), for tests and benchmarks that must see
 * what really runs, not what a component reports: whether a pid still exists or still runs, a
 * process's children and descendants, its process group. Two questions, two names:
 * `processExists` (still in the process table, a zombie included: not yet reaped) and `isRunning`
 * (exists and is not a zombie).
 */
import { readFileSync, readdirSync } from "node:fs";

/**
 * The fields of `/proc/<pid>/stat` after the command name (proc(5): state, ppid, pgrp, …, utime at
 * index 11, stime at 12), or undefined once the pid is gone. The command name is skipped by the
 * last `)`, since it may itself contain spaces and parentheses.
 */
export function statFields(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** True while a process with this pid is in the process table, a zombie included (signal 0 probes without signalling). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** True while the process runs: it exists and is not a zombie waiting for its parent to reap it. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z";
}

/** The process group a process belongs to, or undefined once it is gone. */
export function processGroupOf(pid: number): number | undefined {
  const group = statFields(pid)?.[2];
  return group === undefined ? undefined : Number(group);
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  zombie: boolean;
}

/** Every process in /proc now (none where there is no /proc); one that ends while it is read is left out. */
function processTable(): ProcessEntry[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch (error) {
    if (isGone(error)) return [];
    throw error;
  }
  const out: ProcessEntry[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields) out.push({ pid: Number(entry), ppid: Number(fields[1]), zombie: fields[0] === "Z" });
  }
  return out;
}

/** Pids of every descendant of `root` (children, grandchildren, …); zombies only when asked for. */
export function descendants(root: number, options: { zombies?: boolean } = {}): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid, zombie } of processTable()) {
    if (zombie && !options.zombies) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** `root` and every descendant, zombies included (they still hold the CPU time they used until reaped). */
export function processTree(root: number): number[] {
  return [root, ...descendants(root, { zombies: true })];
}

/** Pids of the running children of `parent` whose command line contains `marker`. */
export function childPids(parent: number, marker: string): number[] {
  return processTable()
    .filter((entry) => entry.ppid === parent && !entry.zombie && commandLineOf(entry.pid)?.includes(marker))
    .map((entry) => entry.pid);
}

/** A process's command line, its arguments joined by spaces, or undefined once it is gone. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trimEnd();
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** A /proc read that failed because the process ended (or never was). */
function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ESRCH";
}
