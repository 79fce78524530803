/**
 * `npm run soak`: the gateway under many sessions for a long time, on loopback only. A gateway
 * process (audit log to a file) in front of server-everything over Streamable HTTP. First a burst:
 * 500 MCP sessions opened at once, spread over 25 users, each sending tools/call round trips back
 * to back for a bounded time; every call must succeed. Then steady load for 10 minutes: each
 * session calls at a fixed pace and is closed and reopened now and then, so session records,
 * connections and audit lines come and go. The gateway's RSS and open file descriptors are
 * sampled throughout and reported at start, peak and end. A benchmark, not a test: it prints its
 * figures and, for a full run, writes them to docs/benchmarks.md. Stops by itself.
 *
 *   npm run soak                       full run (about 12 minutes)
 *   npm run soak -- --quick            a short try (about 1 minute), nothing written
 *   npm run soak -- --sessions 100 --burst-seconds 20 --steady-minutes 2
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { machineSummary, percentile, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { startEverythingHttp } from "../test/helpers/processes";
import { callEcho, closeSession, openSession, runLoad } from "./load";
import type { Session, Target } from "./load";
import { openFds, rssBytes } from "./process-stats";
import { startGatewayProcess } from "./servers";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    sessions: { type: "string" },
    users: { type: "string" },
    "burst-seconds": { type: "string" },
    "steady-minutes": { type: "string" },
    write: { type: "boolean", default: false },
  },
});
const quick = flags.quick ?? false;
const SESSIONS = Number(flags.sessions ?? 500);
const USERS = Number(flags.users ?? 25);
const BURST_MS = Number(flags["burst-seconds"] ?? (quick ? 15 : 60)) * 1000;
const STEADY_MS = Number(flags["steady-minutes"] ?? (quick ? 0.75 : 10)) * 60_000;
// Steady pace: one call per session per PERIOD_MS; a session is closed and reopened every CHURN_EVERY calls.
const PERIOD_MS = 1_000;
const CHURN_EVERY = 30;
const SAMPLE_EVERY_MS = 5_000;
// Longer than the gateway's upstream keep-alive (30 s), so the end sample shows what stays open.
const SETTLE_MS = 35_000;
const TOKEN = "c".repeat(64);
const fullRun = !quick && SESSIONS === 500 && STEADY_MS === 600_000;

interface Tally {
  calls: number;
  errors: number;
  reopened: number;
  latencies: number[];
  failures: Map<string, number>;
}

function fail(tally: Tally, what: string): void {
  tally.errors++;
  tally.failures.set(what, (tally.failures.get(what) ?? 0) + 1);
}

interface Sample {
  atMs: number;
  rss: number;
  fds: number;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function sampler(pid: number, started: number): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const take = () => samples.push({ atMs: Date.now() - started, rss: rssBytes(pid), fds: openFds(pid) });
  take();
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
}

function userTarget(url: string, index: number): Target {
  return { url, headers: { [MCPBOX_HEADERS.serviceToken]: TOKEN, [MCPBOX_HEADERS.userEmail]: `soak-user-${index % USERS}@example.com` } };
}

async function reopen(target: Target, tally: Tally): Promise<Session | undefined> {
  try {
    return await openSession(target);
  } catch (error) {
    fail(tally, `opening a session: ${(error as Error).message.slice(0, 160)}`);
    return undefined;
  }
}

/** Paced calls until `endAt`, starting at `offsetMs` into the period; reopens the session every CHURN_EVERY calls. */
async function steadyClient(target: Target, first: Session, offsetMs: number, endAt: number, tally: Tally): Promise<Session | undefined> {
  let session: Session | undefined = first;
  let next = performance.now() + offsetMs;
  await sleep(offsetMs);
  for (let n = 1; performance.now() < endAt; n++) {
    session ??= await reopen(target, tally);
    const outcome = session ? await callEcho(session) : "no session";
    if (typeof outcome === "number") tally.latencies.push(outcome);
    else fail(tally, outcome);
    tally.calls++;
    if (session && n % CHURN_EVERY === 0) {
      await closeSession(session);
      session = await reopen(target, tally);
      if (session) tally.reopened++;
    }
    next += PERIOD_MS;
    await sleep(Math.max(0, next - performance.now()));
  }
  return session;
}

function failureLines(...maps: Map<string, number>[]): string[] {
  const all = new Map<string, number>();
  for (const map of maps) for (const [what, count] of map) all.set(what, (all.get(what) ?? 0) + count);
  if (all.size === 0) return [];
  return ["Errors by kind:", "", ...[...all].map(([what, count]) => `- ${count} × ${what.replace(/\s+/g, " ")}`), ""];
}

function row(label: string, s: Sample | undefined): string {
  return s ? `| ${label} | ${(s.atMs / 1000).toFixed(0)} s | ${mib(s.rss)} | ${s.fds} |` : `| ${label} | – | – | – |`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "mcpbox-soak-"));
  const audit = join(dir, "audit.jsonl");
  const everything = await startEverythingHttp();
  const gateway = await startGatewayProcess({
    [GATEWAY_ENV.serviceToken]: TOKEN,
    [GATEWAY_ENV.upstreamUrl]: everything.url,
    [GATEWAY_ENV.auditLog]: audit,
    [GATEWAY_ENV.maxSessions]: String(SESSIONS * 2),
  });
  const started = Date.now();
  const idle = { atMs: 0, rss: rssBytes(gateway.pid), fds: openFds(gateway.pid) };
  const watch = sampler(gateway.pid, started);
  try {
    process.stdout.write(`soak: ${SESSIONS} sessions over ${USERS} users, burst ${BURST_MS / 1000} s, steady ${STEADY_MS / 60_000} min\n`);
    const targets = Array.from({ length: SESSIONS }, (_, i) => userTarget(gateway.url, i));
    const opened = await Promise.allSettled(targets.map((t) => openSession(t)));
    const openErrors = opened.filter((r) => r.status === "rejected").length;
    for (const r of opened) if (r.status === "rejected") process.stdout.write(`opening a session failed: ${String(r.reason)}\n`);
    const sessions = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const burst = await runLoad(sessions, BURST_MS);
    const burstEnd = watch.samples.length;
    process.stdout.write(`burst: ${sessions.length} sessions, ${burst.latenciesMs.length} calls, ${burst.errors + openErrors} errors\n`);

    const tally: Tally = { calls: 0, errors: 0, reopened: 0, latencies: [], failures: new Map() };
    const steadyFrom = watch.samples.length;
    const endAt = performance.now() + STEADY_MS;
    const progress = setInterval(() => process.stdout.write(`steady: ${tally.calls} calls, ${tally.errors} errors, ${tally.reopened} sessions reopened\n`), 60_000);
    // Clients start spread over one period, so the load is even rather than one spike a second.
    const last = await Promise.all(sessions.map((s, i) => steadyClient(targets[i] as Target, s, (i / sessions.length) * PERIOD_MS, endAt, tally)));
    clearInterval(progress);
    await Promise.all(last.flatMap((s) => (s ? [closeSession(s)] : [])));
    // Before the end sample: the gateway's idle keep-alive connections to the upstream close after 30 s.
    await sleep(SETTLE_MS);
    watch.stop();

    const steady = watch.samples.slice(steadyFrom);
    const start = steady[0];
    const end = steady.at(-1);
    const peakRss = steady.reduce((a, b) => (b.rss > a.rss ? b : a), start as Sample);
    const peakFds = steady.reduce((a, b) => (b.fds > a.fds ? b : a), start as Sample);
    const burstPeak = watch.samples.slice(0, burstEnd).reduce((a, b) => (b.rss > a.rss ? b : a), idle);
    const auditBytes = (await stat(audit)).size;
    const rssGrowth = start && end ? (peakRss.rss - start.rss) / start.rss : Number.NaN;
    const verdicts = [
      { target: `${SESSIONS} concurrent sessions, burst without errors`, figure: `${burst.errors + openErrors} errors`, met: burst.errors + openErrors === 0 && sessions.length === SESSIONS },
      { target: "RSS flat under steady load (peak at most 25% over its start)", figure: `${(rssGrowth * 100).toFixed(1)}%`, met: rssGrowth <= 0.25 },
      {
        target: "open fds back to the idle count (±10) once every session closed",
        figure: `${end?.fds ?? "–"} (idle ${idle.fds})`,
        met: end !== undefined && Math.abs(end.fds - idle.fds) <= 10,
      },
    ];
    const markdown = [
      "## Soak (`npm run soak`)",
      "",
      `Machine: ${machineSummary()}.`,
      `The gateway (its own process, audit log to a file) in front of server-everything over Streamable HTTP, on loopback.`,
      `Burst: ${SESSIONS} MCP sessions opened at once over ${USERS} users, each sending tools/call echo round trips back to back`,
      `for ${BURST_MS / 1000} s. Steady: ${STEADY_MS / 60_000} min, every session one call per ${PERIOD_MS / 1000} s, closed (DELETE) and reopened`,
      `every ${CHURN_EVERY} calls. RSS and open file descriptors of the gateway process sampled every ${SAMPLE_EVERY_MS / 1000} s from /proc.`,
      "",
      "| phase | sessions | calls | errors | p50 (ms) | p99 (ms) |",
      "|---|---:|---:|---:|---:|---:|",
      `| burst | ${sessions.length} of ${SESSIONS} | ${burst.latenciesMs.length} | ${burst.errors + openErrors} | ${percentile(burst.latenciesMs, 50).toFixed(2)} | ${percentile(burst.latenciesMs, 99).toFixed(2)} |`,
      `| steady | ${sessions.length} (${tally.reopened} reopened) | ${tally.calls} | ${tally.errors} | ${percentile(tally.latencies, 50).toFixed(2)} | ${percentile(tally.latencies, 99).toFixed(2)} |`,
      "",
      "| gateway process | at | RSS (MiB) | open fds |",
      "|---|---:|---:|---:|",
      row("idle, before the burst", idle),
      row("peak of the burst", burstPeak),
      row("steady: start", start),
      row("steady: peak RSS", peakRss),
      row("steady: peak fds", peakFds),
      row(`end: all sessions closed, ${SETTLE_MS / 1000} s later`, end),
      "",
      ...failureLines(burst.failures, tally.failures),
      `Audit log: ${auditBytes} bytes for ${burst.latenciesMs.length + tally.calls} calls and the sessions' handshakes.`,
      "",
      "| target | figure | verdict |",
      "|---|---:|---|",
      ...verdicts.map((v) => `| ${v.target} | ${v.figure} | ${v.met ? "met" : "**missed**"} |`),
    ].join("\n");
    process.stdout.write(`\n${markdown}\n`);
    if (fullRun || flags.write) await writeBenchSection("soak", markdown);
    if (verdicts.some((v) => !v.met)) process.exitCode = 1;
  } finally {
    watch.stop();
    await gateway.close();
    await everything.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
