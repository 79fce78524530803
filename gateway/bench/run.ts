/**
 * `npm run bench -w @mcpbox/gateway`: one run on loopback, 16 concurrent MCP clients doing
 * tools/call round trips. (1) server-everything over Streamable HTTP, direct vs through the
 * gateway: p50, p99, req/s and their ratios. (2) the gateway's stdio bridge vs supergateway in
 * front of the same stdio server: req/s ratios against supergateway with one child per session
 * (like for like) and in its default mode (one child per request). Rounds alternate between
 * contenders so a noisy neighbour hurts both alike. (3) the gateway with a 50-rule tool policy vs
 * without one, in front of the same HTTP server: CPU per call and req/s ratios. (4) CPU per body of
 * the gateway's one strict parse and of the re-serialized bytes it relays. Prints the section it writes to
 * docs/benchmarks.md (between the `gateway` markers).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { machineSummary, percentile, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { everythingStdioCommand, startEverythingHttp } from "../test/helpers/processes";
import { snapshot, used } from "./cpu";
import { writeFile } from "node:fs/promises";
import { closeSession, openSession, openSessionless, runLoad } from "./load";
import { benchPolicy, policyMicrosPerCall } from "./policy-cost";
import { measureParseCost, parseCostTable } from "./parse-cost";
import type { LoadResult, Session, Target } from "./load";
import { startGatewayProcess, startSupergateway } from "./servers";

const CLIENTS = 16;
const WARMUP_MS = 1_500;
// Many short alternating rounds: a burst of load from elsewhere on the machine lands on both
// contenders of a pair, and the median of the per-pair ratios shrugs off the bursts.
const ROUND_MS = 1_000;
const ROUNDS = 10;
const TOKEN = "b".repeat(64);
const WORKER_HEADERS = { [MCPBOX_HEADERS.serviceToken]: TOKEN, [MCPBOX_HEADERS.userEmail]: "bench@example.com" };

interface Contender {
  name: string;
  target: Target;
  sessions: Session[];
  results: LoadResult[];
  /** Processes whose CPU counts for this setup (each with its descendants). */
  roots: number[];
  /** The relay's own process (gateway or supergateway), if any. */
  relayPid?: number;
  cpuMs: number;
  relayCpuMs: number;
  /** CPU of this benchmark process (the load generator) during the rounds. */
  loadCpuMs: number;
  /** The relay's CPU per call in each round (ms). */
  relayCpuRounds: number[];
}

interface Figures {
  name: string;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  rps: number;
  /** CPU of all the setup's server processes per call, and of the relay alone. */
  cpuPerCall: number;
  relayCpuPerCall: number;
  loadCpuPerCall: number;
}

async function prepare(name: string, target: Target, roots: number[], relayPid?: number, sessionless = false): Promise<Contender> {
  const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => (sessionless ? openSessionless(target) : openSession(target))));
  if (!sessionless) await runLoad(sessions, WARMUP_MS);
  return { name, target, sessions, results: [], roots, relayPid, cpuMs: 0, relayCpuMs: 0, loadCpuMs: 0, relayCpuRounds: [] };
}

function figures(c: Contender): Figures {
  const latencies = c.results.flatMap((r) => r.latenciesMs);
  const elapsed = c.results.reduce((sum, r) => sum + r.elapsedMs, 0);
  return {
    name: c.name,
    requests: latencies.length,
    errors: c.results.reduce((sum, r) => sum + r.errors, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: (latencies.length / elapsed) * 1000,
    cpuPerCall: c.cpuMs / latencies.length,
    relayCpuPerCall: c.relayPid === undefined ? Number.NaN : c.relayCpuMs / latencies.length,
    loadCpuPerCall: c.loadCpuMs / latencies.length,
  };
}

/** Alternates rounds between contenders (A B, B A, A B …) and collects the figures. */
async function compare(contenders: Contender[], rounds = ROUNDS, roundMs = ROUND_MS): Promise<Figures[]> {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const before = snapshot(c.roots);
      const load = process.cpuUsage();
      c.results.push(await runLoad(c.sessions, roundMs));
      const loadUsed = process.cpuUsage(load);
      const after = snapshot(c.roots);
      c.loadCpuMs += (loadUsed.user + loadUsed.system) / 1000;
      c.cpuMs += used(before, after);
      if (c.relayPid !== undefined) {
        const relay = used(before, after, c.relayPid);
        c.relayCpuMs += relay;
        c.relayCpuRounds.push(relay / Math.max(1, (c.results[c.results.length - 1] as LoadResult).latenciesMs.length));
      }
    }
  }
  for (const c of contenders) await Promise.all(c.sessions.map(closeSession));
  return contenders.map(figures);
}

/** Median over rounds of `of(b) / of(a)`, pairing the rounds of two contenders. */
function medianRatio(a: Contender, b: Contender, of: (r: LoadResult) => number): number {
  const ratios = a.results.map((ra, i) => of(b.results[i] as LoadResult) / of(ra));
  return percentile(ratios, 50);
}
const roundP50 = (r: LoadResult) => percentile(r.latenciesMs, 50);
const roundRps = (r: LoadResult) => r.latenciesMs.length / r.elapsedMs;

const ms = (n: number) => n.toFixed(2);
const pct = (n: number) => `${n >= 0 ? "+" : ""}${(n * 100).toFixed(1)}%`;
const verdict = (ok: boolean) => (ok ? "met" : "**missed**");

const cpu = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");

function table(rows: Figures[]): string {
  const lines = [
    "| setup | requests | errors | p50 (ms) | p99 (ms) | req/s | server CPU per call (ms) | relay's share (ms) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.requests} | ${r.errors} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.rps.toFixed(r.rps < 100 ? 1 : 0)} | ${cpu(r.cpuPerCall)} | ${cpu(r.relayCpuPerCall)} |`,
    );
  }
  return lines.join("\n");
}

/** How many cores the HTTP setups need at the direct rate: the gateway's targets need that headroom. */
function httpHeadroom(direct: Figures, gated: Figures): string {
  const cores = (f: Figures) => (direct.rps * (f.cpuPerCall + f.loadCpuPerCall)) / 1000;
  if (!Number.isFinite(cores(direct)) || !Number.isFinite(cores(gated))) return "";
  return [
    `At the direct rate (${direct.rps.toFixed(0)} calls/s) the direct setup keeps ${cores(direct).toFixed(2)} cores busy (server and load generator),`,
    `the gateway setup ${cores(gated).toFixed(2)} of this machine's ${os.cpus().length}: the gateway's targets hold only while that much CPU is free,`,
    "so other work on the machine during a run shows up as gateway overhead.",
  ].join("\n");
}

/**
 * On a saturated machine req/s is inversely proportional to the CPU a call costs in total, so the
 * like-for-like ratio cannot exceed what a relay costing nothing would reach.
 */
function stdioCeiling(ours: Figures, theirs: Figures): string {
  const theirsTotal = theirs.cpuPerCall + theirs.loadCpuPerCall;
  const sharedOurs = ours.cpuPerCall - ours.relayCpuPerCall + ours.loadCpuPerCall;
  if (!Number.isFinite(theirsTotal) || !Number.isFinite(sharedOurs)) return "";
  return [
    `Per call, the bridge itself used ${cpu(ours.relayCpuPerCall)} ms of CPU and supergateway ${cpu(theirs.relayCpuPerCall)} ms; the ${CLIENTS} child`,
    `processes and the load generator used another ${cpu(sharedOurs)} ms, on the same ${os.cpus().length} cores. With the cores saturated,`,
    `req/s follows total CPU per call, so against supergateway --stateful even a relay that cost nothing would reach`,
    `about ${(theirsTotal / sharedOurs).toFixed(2)}x here.`,
  ].join("\n");
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "mcpbox-bench-"));
  const stops: (() => Promise<void>)[] = [];
  const started_ = <T extends { close(): Promise<void> }>(running: T): T => {
    stops.push(() => running.close());
    return running;
  };
  try {
    // (1) Streamable HTTP: direct vs through the gateway.
    const everything = started_(await startEverythingHttp());
    const httpGateway = started_(
      await startGatewayProcess({
        [GATEWAY_ENV.serviceToken]: TOKEN,
        [GATEWAY_ENV.upstreamUrl]: everything.url,
        [GATEWAY_ENV.auditLog]: join(dir, "audit-http.jsonl"),
      }),
    );
    const direct = await prepare("server-everything over HTTP, direct", { url: everything.url, headers: {} }, [everything.pid]);
    const gated = await prepare(
      "server-everything over HTTP, through the gateway",
      { url: httpGateway.url, headers: WORKER_HEADERS },
      [everything.pid, httpGateway.pid],
      httpGateway.pid,
    );
    const [d, g] = (await compare([direct, gated])) as [Figures, Figures];
    await httpGateway.close();

    // (3) The tool policy's cost: two fresh gateways (equally warm), one with a 50-rule policy, alternating.
    const policyDir = await mkdtemp(join(tmpdir(), "mcpbox-bench-policy-"));
    stops.push(() => rm(policyDir, { recursive: true, force: true }));
    const policyPath = join(policyDir, "policy.yaml");
    await writeFile(policyPath, benchPolicy(WORKER_HEADERS[MCPBOX_HEADERS.userEmail]));
    const gatewayEnv = (name: string) => ({
      [GATEWAY_ENV.serviceToken]: TOKEN,
      [GATEWAY_ENV.upstreamUrl]: everything.url,
      [GATEWAY_ENV.auditLog]: join(dir, name),
    });
    const plainGateway = started_(await startGatewayProcess(gatewayEnv("audit-plain.jsonl")));
    const policyGateway = started_(await startGatewayProcess({ ...gatewayEnv("audit-policy.jsonl"), [GATEWAY_ENV.policy]: policyPath }));
    const plain = await prepare(
      "through the gateway, no policy",
      { url: plainGateway.url, headers: WORKER_HEADERS },
      [everything.pid, plainGateway.pid],
      plainGateway.pid,
    );
    const ruled = await prepare(
      "through the gateway, 50-rule policy",
      { url: policyGateway.url, headers: WORKER_HEADERS },
      [everything.pid, policyGateway.pid],
      policyGateway.pid,
    );
    const [np, wp] = (await compare([plain, ruled])) as [Figures, Figures];
    await policyGateway.close();
    await plainGateway.close();
    await everything.close();

    // (2) stdio: the gateway's bridge vs supergateway, same server.
    const stdioCommand = everythingStdioCommand();
    const stdioGateway = started_(
      await startGatewayProcess({
        [GATEWAY_ENV.serviceToken]: TOKEN,
        [GATEWAY_ENV.upstreamCommand]: stdioCommand,
        [GATEWAY_ENV.auditLog]: join(dir, "audit-stdio.jsonl"),
        // All clients are one user here; by default one user may hold a quarter of the sessions.
        [GATEWAY_ENV.maxSessionsPerUser]: String(CLIENTS),
      }),
    );
    const stateful = started_(await startSupergateway(stdioCommand, true));
    const ours = await prepare(
      "stdio server, gateway bridge (child per session)",
      { url: stdioGateway.url, headers: WORKER_HEADERS },
      [stdioGateway.pid],
      stdioGateway.pid,
    );
    const theirs = await prepare(
      "stdio server, supergateway --stateful (child per session)",
      { url: stateful.url, headers: {} },
      [stateful.pid],
      stateful.pid,
    );
    const [o, s] = (await compare([ours, theirs])) as [Figures, Figures];
    await stateful.close();
    await stdioGateway.close();
    const stateless = started_(await startSupergateway(stdioCommand, false));
    // Its children live for one request each, too briefly to be sampled: no CPU figures here.
    const perRequest = await prepare(
      "stdio server, supergateway default (child per request)",
      { url: stateless.url, headers: {} },
      [],
      undefined,
      true,
    );
    const [sl] = (await compare([perRequest], 1, 3_000)) as [Figures];
    sl.cpuPerCall = Number.NaN;
    await stateless.close();

    const p50Added = medianRatio(direct, gated, roundP50) - 1;
    const rpsKept = medianRatio(direct, gated, roundRps);
    const vsStateful = medianRatio(theirs, ours, roundRps);
    const vsDefault = o.rps / sl.rps;
    const policyCpu = percentile(
      plain.relayCpuRounds.map((a, i) => (ruled.relayCpuRounds[i] as number) / a),
      50,
    );
    const policyRps = medianRatio(plain, ruled, roundRps);
    const policyMicros = policyMicrosPerCall(WORKER_HEADERS[MCPBOX_HEADERS.userEmail]);
    const markdown = [
      "## Gateway (`npm run bench -w @mcpbox/gateway`)",
      "",
      `Machine: ${machineSummary()}.`,
      `${CLIENTS} concurrent clients on loopback, each with its own MCP session, send \`tools/call\` echo round trips back to`,
      `back; ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s per setup after a ${WARMUP_MS / 1000} s warm-up (supergateway's default mode: one`,
      "round of 3 s). Every server runs in its own process; the gateway writes its audit log to a file. The table pools all",
      "rounds; the ratios below are medians of the per-round ratios of each alternating pair. CPU per call adds up the",
      "setup's server processes (relay, MCP server, child processes) from /proc; the load generator is not counted.",
      "",
      table([d, g, o, s, sl]),
      "",
      "| target | figure | verdict |",
      "|---|---:|---|",
      `| the gateway adds at most 5% to p50 | ${pct(p50Added)} (p99 ${pct(g.p99 / d.p99 - 1)}) | ${verdict(p50Added <= 0.05)} |`,
      `| the gateway keeps at least 95% of direct req/s | ${(rpsKept * 100).toFixed(1)}% | ${verdict(rpsKept >= 0.95)} |`,
      `| the stdio bridge serves at least 2x supergateway's req/s, like for like (--stateful) | ${vsStateful.toFixed(2)}x | ${verdict(vsStateful >= 2)} |`,
      `| the same, against supergateway's default mode | ${vsDefault.toFixed(1)}x | ${verdict(vsDefault >= 2)} |`,
      "",
      httpHeadroom(d, g),
      "",
      stdioCeiling(o, s),
      "",
      "### Tool policy (`MCPBOX_POLICY`)",
      "",
      "The same HTTP setup twice, alternating: a gateway without a policy and one with a 50-rule policy",
      "(`gateway/bench/policy-cost.ts`) under which every call is checked against deny and allow patterns and a",
      "rate limit, and allowed.",
      "",
      table([np, wp]),
      "",
      `Gateway CPU per call with the policy: **${policyCpu.toFixed(2)}x** the gateway without one (median of the per-round ratios;`,
      `pooled ${cpu(wp.relayCpuPerCall)} vs ${cpu(np.relayCpuPerCall)} ms); req/s: ${(policyRps * 100).toFixed(1)}% of the gateway without one. The policy's own work per call`,
      `(rules of the caller, rate-limit bucket, message view, decision), timed in one process without the network:`,
      `**${policyMicros.toFixed(2)} µs**, ${((policyMicros / 1000 / np.relayCpuPerCall) * 100).toFixed(2)}% of the gateway's CPU per call without a policy.`,
      "",
      "### Body parse",
      "",
      "CPU per body of the gateway's one parse (strict I-JSON parse, member-variant checks, classification) and of the",
      "re-serialized bytes an HTTP upstream receives, beside V8's JSON.parse/JSON.stringify of the same text (in-process):",
      "",
      parseCostTable(measureParseCost()),
    ].join("\n");
    process.stdout.write(`${markdown}\n\n(run took ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    await writeBenchSection("gateway", markdown);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
