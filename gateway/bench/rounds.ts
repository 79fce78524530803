/**
 * Alternating rounds: every contender (a setup behind one /mcp URL) runs the same short round of
 * load in turn, the order reversed every other round, so a burst of work from elsewhere on a shared
 * machine lands on all of them alike. Each round records its latencies and the CPU the setup's
 * processes used (/proc), so figures can be taken per call and as medians of per-round ratios.
 */
import { percentile } from "@mcpbox/dev/test-kit/node";
import { snapshot, used } from "./cpu";
import { closeSession, openSession, openSessionless, runLoad } from "./load";
import type { LoadResult, Session, Target } from "./load";

export interface Round {
  load: LoadResult;
  /** CPU ms of all the setup's server processes (with their descendants). */
  cpuMs: number;
  /** CPU ms of the relay process alone (NaN without one). */
  relayCpuMs: number;
  /** CPU ms of the MCP server process alone (NaN when not known). */
  serverCpuMs: number;
  /** CPU ms of this process (the load generator). */
  loadCpuMs: number;
}

export interface ContenderSpec {
  name: string;
  target: Target;
  /** Processes whose CPU counts for this setup (each with its descendants). */
  roots: number[];
  /** The relay's own process (gateway, bare relay, supergateway), if any. */
  relayPid?: number;
  /** The MCP server's own process, when it is one process (the HTTP server). */
  serverPid?: number;
  /** Clients without an MCP session (supergateway's stateless mode). */
  sessionless?: boolean;
}

export interface Contender extends ContenderSpec {
  /** Open sessions by number of concurrent clients. */
  sessions: Map<number, Session[]>;
  /** Rounds by number of concurrent clients. */
  rounds: Map<number, Round[]>;
}

/** Opens `clients` sessions per entry of `levels` at the contender and warms them up. */
export async function prepare(spec: ContenderSpec, levels: readonly number[], warmupMs: number): Promise<Contender> {
  const sessions = new Map<number, Session[]>();
  for (const clients of levels) {
    const opened = await Promise.all(
      Array.from({ length: clients }, () => (spec.sessionless ? openSessionless(spec.target) : openSession(spec.target))),
    );
    if (!spec.sessionless && warmupMs > 0) await runLoad(opened, warmupMs);
    sessions.set(clients, opened);
  }
  return { ...spec, sessions, rounds: new Map(levels.map((n) => [n, []])) };
}

async function runRound(c: Contender, clients: number, roundMs: number): Promise<void> {
  const sessions = c.sessions.get(clients) ?? [];
  const before = snapshot(c.roots);
  const load = process.cpuUsage();
  const result = await runLoad(sessions, roundMs);
  const loadUsed = process.cpuUsage(load);
  const after = snapshot(c.roots);
  c.rounds.get(clients)?.push({
    load: result,
    cpuMs: used(before, after),
    relayCpuMs: c.relayPid === undefined ? Number.NaN : used(before, after, c.relayPid),
    serverCpuMs: c.serverPid === undefined ? Number.NaN : used(before, after, c.serverPid),
    loadCpuMs: (loadUsed.user + loadUsed.system) / 1000,
  });
}

/** Runs `rounds` rounds at every level, alternating the contenders' order, then closes their sessions. */
export async function alternate(contenders: Contender[], levels: readonly number[], rounds: number, roundMs: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const clients of levels) {
      // Rotate and mirror: each contender runs first, last and in between equally often.
      const shift = Math.floor(round / 2) % contenders.length;
      const rotated = [...contenders.slice(shift), ...contenders.slice(0, shift)];
      const order = round % 2 === 0 ? rotated : rotated.reverse();
      for (const c of order) await runRound(c, clients, roundMs);
    }
  }
  for (const c of contenders) for (const sessions of c.sessions.values()) await Promise.all(sessions.map(closeSession));
}

export interface Figures {
  name: string;
  clients: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  rps: number;
  /** CPU per call (ms): all server processes, the relay alone, the MCP server alone, the load generator. */
  cpuPerCall: number;
  relayCpuPerCall: number;
  serverCpuPerCall: number;
  loadCpuPerCall: number;
}

/** Pooled figures of a contender's rounds at one level. */
export function figures(c: Contender, clients: number): Figures {
  const rounds = c.rounds.get(clients) ?? [];
  const latencies = rounds.flatMap((r) => r.load.latenciesMs);
  const sum = (of: (r: Round) => number) => rounds.reduce((total, r) => total + of(r), 0);
  const calls = latencies.length;
  return {
    name: c.name,
    clients,
    requests: calls,
    errors: sum((r) => r.load.errors),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: (calls / sum((r) => r.load.elapsedMs)) * 1000,
    cpuPerCall: sum((r) => r.cpuMs) / calls,
    relayCpuPerCall: sum((r) => r.relayCpuMs) / calls,
    serverCpuPerCall: sum((r) => r.serverCpuMs) / calls,
    loadCpuPerCall: sum((r) => r.loadCpuMs) / calls,
  };
}

/** Every failure of a contender's rounds, by kind. */
export function failures(c: Contender): Map<string, number> {
  const all = new Map<string, number>();
  for (const rounds of c.rounds.values())
    for (const r of rounds) for (const [what, n] of r.load.failures) all.set(what, (all.get(what) ?? 0) + n);
  return all;
}

export const calls = (r: Round) => r.load.latenciesMs.length;
export const roundP50 = (r: Round) => percentile(r.load.latenciesMs, 50);
export const roundRps = (r: Round) => calls(r) / r.load.elapsedMs;
export const relayCpuPerCall = (r: Round) => r.relayCpuMs / Math.max(1, calls(r));
export const serverCpuPerCall = (r: Round) => r.serverCpuMs / Math.max(1, calls(r));

/** Median over rounds of `of(round)` for one contender. */
export function medianOf(c: Contender, clients: number, of: (r: Round) => number): number {
  return percentile((c.rounds.get(clients) ?? []).map(of), 50);
}

/** Median over paired rounds of `combine(a's round, b's round, …)`, pairing round i of each contender. */
export function medianPaired(contenders: readonly Contender[], clients: number, combine: (...rounds: Round[]) => number): number {
  const series = contenders.map((c) => c.rounds.get(clients) ?? []);
  const n = Math.min(...series.map((s) => s.length));
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(combine(...series.map((s) => s[i] as Round)));
  return percentile(values, 50);
}
