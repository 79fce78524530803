/**
 * Markdown for the gateway benchmark: the pooled table of every setup, and the table of
 * ratios (the bare relay as the floor, the gateway against it) with the targets and verdicts.
 */
import type { Figures } from "./rounds";

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const rate = (n: number) => (n < 100 ? n.toFixed(1) : n.toFixed(0));

/** One row per setup and level, pooled over all rounds. */
export function setupTable(rows: readonly Figures[]): string {
  const lines = [
    "| setup | clients | requests | errors | p50 (ms) | p99 (ms) | req/s | server CPU per call (ms) | relay's share (ms) | MCP server's share (ms) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.clients} | ${r.requests} | ${r.errors} | ${ms(r.p50)} | ${ms(r.p99)} | ${rate(r.rps)} | ${ms(r.cpuPerCall)} | ${ms(r.relayCpuPerCall)} | ${ms(r.serverCpuPerCall)} |`,
    );
  }
  return lines.join("\n");
}

/** The figures of the table, each a median of per-round values or ratios of one run. */
export interface FloorFigures {
  /** Relay CPU per call ÷ the MCP server's CPU per call, 16 clients; `ratio`: gateway ÷ bare over paired rounds. */
  cpuShare: { bare: number; gateway: number; ratio: number };
  /** Relay CPU per call (ms), 16 clients; `ratio` as above. */
  relayCpu: { bare: number; gateway: number; ratio: number };
  /** p50 at 1 client ÷ direct. */
  p50One: { bare: number; gateway: number };
  /** p50 and req/s at 16 clients ÷ direct. */
  p50Many: { bare: number; gateway: number };
  rpsMany: { bare: number; gateway: number };
  /** stdio bridge req/s ÷ supergateway --stateful; CPU per call of each (ms). */
  stdioRps: number;
  stdioCpu: { bridge: number; supergateway: number };
}

export interface Verdict {
  target: string;
  figure: string;
  met: boolean;
}

/** The targets of the issue, judged on `f`. */
export function verdicts(f: FloorFigures): Verdict[] {
  const cpuTimes = f.cpuShare.ratio;
  const added = (f.p50One.gateway - 1) / (f.p50One.bare - 1);
  return [
    {
      target: "gateway relay CPU per call ≤ 1.15 × the bare relay's (shares of the MCP server's CPU)",
      figure: `${cpuTimes.toFixed(2)}×`,
      met: cpuTimes <= 1.15,
    },
    {
      target: "gateway added latency at 1 client ≤ 1.2 × the bare relay's added latency",
      figure: `${added.toFixed(2)}×`,
      met: added <= 1.2,
    },
    { target: "stdio bridge req/s ≥ 1.8 × supergateway --stateful", figure: `${f.stdioRps.toFixed(2)}×`, met: f.stdioRps >= 1.8 },
    {
      target: "stdio bridge CPU per call ≤ the bare HTTP relay's CPU per call",
      figure: `${ms(f.stdioCpu.bridge)} vs ${ms(f.relayCpu.bare)} ms`,
      met: f.stdioCpu.bridge <= f.relayCpu.bare,
    },
  ];
}

/** The table, figures of this run. */
export function floorTable(f: FloorFigures): string {
  const lines = [
    "| figure | bare `node:http` relay (the floor) | the gateway | gateway ÷ floor |",
    "|---|---:|---:|---:|",
    `| relay CPU per \`tools/call\` ÷ the MCP server's own CPU per call (16 clients) | ${ratio(f.cpuShare.bare)} | ${ratio(f.cpuShare.gateway)} | ${ratio(f.cpuShare.ratio)} |`,
    `| relay CPU per \`tools/call\` (ms, 16 clients) | ${ms(f.relayCpu.bare)} | ${ms(f.relayCpu.gateway)} | ${ratio(f.relayCpu.ratio)} |`,
    `| p50 at 1 client ÷ direct | ${ratio(f.p50One.bare)} | ${ratio(f.p50One.gateway)} | added latency ${ratio((f.p50One.gateway - 1) / (f.p50One.bare - 1))} |`,
    `| p50 / req/s at 16 clients ÷ direct | ${ratio(f.p50Many.bare)} / ${ratio(f.rpsMany.bare)} | ${ratio(f.p50Many.gateway)} / ${ratio(f.rpsMany.gateway)} | – |`,
    `| stdio bridge req/s ÷ supergateway \`--stateful\` (child per session), same stdio server | – | ${ratio(f.stdioRps)} | – |`,
    `| stdio bridge CPU per call (ms; supergateway --stateful in brackets) vs the bare HTTP relay's | ${ms(f.relayCpu.bare)} | ${ms(f.stdioCpu.bridge)} (${ms(f.stdioCpu.supergateway)}) | ${ratio(f.stdioCpu.bridge / f.relayCpu.bare)} |`,
  ];
  return lines.join("\n");
}

/** The verdict table. */
export function verdictTable(list: readonly Verdict[]): string {
  return [
    "| target | figure | verdict |",
    "|---|---:|---|",
    ...list.map((v) => `| ${v.target} | ${v.figure} | ${v.met ? "met" : "**missed**"} |`),
  ].join("\n");
}
