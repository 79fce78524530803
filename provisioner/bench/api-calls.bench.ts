/**
 * Benchmark: how many Cloudflare API calls (and writes) each provisioner command makes, measured
 * against the fake Cloudflare API, with a re-run of setup compared to the fresh setup it follows.
 * Writes the provisioner section of docs/benchmarks.md.
 */
import { performance } from "node:perf_hooks";
import { machineSummary, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { runDoctor } from "../src/commands/doctor";
import { runRotateServiceToken } from "../src/commands/rotate";
import { runSecretsSync } from "../src/commands/secrets-sync";
import { runSetup } from "../src/commands/setup";
import { runStatus } from "../src/commands/status";
import { runTeardown } from "../src/commands/teardown";
import { createHarness } from "../test/helpers/harness";

interface Row {
  run: string;
  requests: number;
  writes: number;
  ms: number;
}

const ROUNDS = 5;

async function measure(run: string, fn: () => Promise<{ api: { requests: number; writes: number } }>): Promise<Row> {
  const started = performance.now();
  const result = await fn();
  return { run, ...result.api, ms: performance.now() - started };
}

async function oneRound(): Promise<Row[]> {
  const h = await createHarness();
  try {
    const rows = [await measure("setup, fresh account", () => runSetup(h.options, h.deps))];
    rows.push(await measure("setup, re-run on a complete setup", () => runSetup(h.options, h.deps)));
    rows.push(await measure("status", () => runStatus(h.options, h.deps)));
    rows.push(await measure("doctor", () => runDoctor(h.options, h.deps)));
    rows.push(await measure("secrets sync", () => runSecretsSync(h.options, h.deps)));
    rows.push(await measure("rotate-service-token", () => runRotateServiceToken(h.options, h.deps)));
    rows.push(await measure("rotate-service-token --finish", () => runRotateServiceToken({ ...h.options, finish: true }, h.deps)));
    rows.push(await measure("teardown", () => runTeardown(h.options, h.deps)));
    return rows;
  } finally {
    await h.close();
  }
}

const rounds: Row[][] = [];
for (let i = 0; i < ROUNDS; i += 1) rounds.push(await oneRound());
const first = rounds[0] ?? [];
for (const round of rounds) {
  round.forEach((row, i) => {
    if (row.requests !== first[i]?.requests || row.writes !== first[i]?.writes) throw new Error(`call counts differ between rounds for "${row.run}"`);
  });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const rows = first.map((row, i) => ({ ...row, ms: median(rounds.map((r) => r[i]?.ms ?? Number.NaN)) }));
const fresh = rows[0];
const rerun = rows[1];
if (!fresh || !rerun) throw new Error("no measurements");

const table = [
  "| run | API calls | writes | median ms (fake API, loopback) |",
  "|---|---:|---:|---:|",
  ...rows.map((r) => `| ${r.run} | ${r.requests} | ${r.writes} | ${r.ms.toFixed(1)} |`),
].join("\n");
const ratio = (rerun.requests / fresh.requests).toFixed(2);

console.log(table);
console.log(`re-run / fresh: ${ratio}× the calls, ${rerun.writes} writes`);

await writeBenchSection(
  "provisioner",
  `## Provisioner (\`npm run bench -w @mcpbox/provisioner\`)

Machine: ${machineSummary()}. Each command run against the fake Cloudflare API (test/helpers), in
order on one account, ${ROUNDS} rounds; call counts are identical in every round (checked), times
are medians and only show the provisioner's own overhead (no network, a fixed Worker bundle).

${table}

A re-run on a complete setup makes ${rerun.requests} read calls (${ratio}× the fresh setup's ${fresh.requests}) and ${rerun.writes} writes.`,
);
