/**
 * CPU time of another process from Linux's scheduler statistics (/proc/<pid>/task/<tid>/schedstat,
 * nanoseconds on a CPU): its main thread, where workerd runs every isolate and its network I/O,
 * and all its threads (adding V8's background compilation and garbage collection).
 */
import { readFile, readdir } from "node:fs/promises";

export interface ProcessCpu {
  /** Milliseconds of CPU used by the main thread. */
  mainMs: number;
  /** Milliseconds of CPU used by all threads. */
  totalMs: number;
}

export async function readProcessCpu(pid: number): Promise<ProcessCpu> {
  let mainMs = 0;
  let totalMs = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    let text: string;
    try {
      text = await readFile(`/proc/${pid}/task/${task}/schedstat`, "utf8");
    } catch (error) {
      // A thread that ended between the listing and the read has nothing more to add.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const ms = Number(text.split(" ")[0]) / 1e6;
    if (!Number.isFinite(ms)) throw new Error(`unexpected schedstat for ${pid}/${task}: ${text}`);
    totalMs += ms;
    if (task === String(pid)) mainMs = ms;
  }
  return { mainMs, totalMs };
}

/** CPU used between two readings. */
export function cpuSince(before: ProcessCpu, after: ProcessCpu): ProcessCpu {
  return { mainMs: after.mainMs - before.mainMs, totalMs: after.totalMs - before.totalMs };
}
