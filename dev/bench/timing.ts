/**
 * Latency measurement for the full-path benchmark: cases run interleaved, one request at a time,
 * so every case sees the same machine load; warm-up rounds are discarded; p50/p99 per case.
 */
import { performance } from "node:perf_hooks";
import { percentile } from "../src/test-kit/node";

export interface Case {
  name: string;
  run(): Promise<void>;
}

export interface CaseResult {
  name: string;
  samples: number;
  p50: number;
  p99: number;
}

/** Runs `warmup` then `rounds` rounds; each round runs every case once, in order. */
export async function measureInterleaved(cases: readonly Case[], rounds: number, warmup: number): Promise<Map<string, CaseResult>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const c of cases) {
      const started = performance.now();
      await c.run();
      if (round >= warmup) samples.get(c.name)?.push(performance.now() - started);
    }
  }
  return new Map(
    cases.map((c) => {
      const values = samples.get(c.name) ?? [];
      return [c.name, { name: c.name, samples: values.length, p50: percentile(values, 50), p99: percentile(values, 99) }];
    }),
  );
}

export const ms = (value: number): string => value.toFixed(2);
