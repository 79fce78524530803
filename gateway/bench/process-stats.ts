/**
 * Memory and open file descriptors of a process, read from Linux /proc, so a long run can show
 * whether the gateway's footprint stays flat. NaN where /proc is absent.
 */
import { readFileSync, readdirSync } from "node:fs";

/** Resident set size in bytes (VmRSS), or NaN once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    // No such process (any more), or no /proc.
    return Number.NaN;
  }
}

/** Open file descriptors (sockets, pipes, files): the process's open handles as the kernel counts them. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // No such process (any more), or no /proc.
    return Number.NaN;
  }
}
