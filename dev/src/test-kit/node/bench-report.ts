/**
 * Writes one benchmark's section of docs/benchmarks.md between its markers, so each package's
 * `npm run bench` updates only its own figures. Also describes the machine the figures came from.
 */
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";

/** docs/benchmarks.md, where every `npm run bench` writes its section. */
export const BENCHMARKS_FILE = fileURLToPath(new URL("../../../../docs/benchmarks.md", import.meta.url));
const HEADER = "# Benchmarks\n\nFigures written by `npm run bench`. Each section names the run that produced it.\n";

/** One line describing this machine: CPU model, cores, memory, Node version, date. */
export function machineSummary(now = new Date()): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  const memGiB = Math.round(os.totalmem() / 2 ** 30);
  return `${model}, ${cpus.length} cores, ${memGiB} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, ${now.toISOString().slice(0, 10)}`;
}

/** Replaces (or appends) the section `id` of docs/benchmarks.md with `markdown`. */
export async function writeBenchSection(id: string, markdown: string, file = BENCHMARKS_FILE): Promise<void> {
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    text = HEADER;
  }
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
}

/** Percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
