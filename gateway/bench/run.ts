/**
 * `npm run bench -w @mcpbox/gateway`: one run on loopback, MCP clients doing tools/call echo round
 * trips. (1) server-everything over Streamable HTTP reached directly, through a bare `node:http`
 * relay (bare-relay.ts, the floor of any Node relay) and through the gateway, at 16 clients and at
 * 1 client, in alternating rounds: the relays' CPU per call (/proc) as a share of the MCP server's,
 * and latency and throughput as ratios to the direct path. (2) the gateway's stdio bridge vs
 * supergateway in front of the same stdio server (one child per session, like for like; and its
 * default, a child per request). (3) the gateway with a 50-rule tool policy vs without one. (4) CPU
 * per body of the gateway's one strict parse. Writes its section of docs/benchmarks.md.
 *
 *   npm run bench -w @mcpbox/gateway [-- --rounds 40 --round-ms 1000 --no-write]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { machineSummary, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { everythingStdioCommand, startEverythingHttp } from "../test/helpers/processes";
import { measureParseCost, parseCostTable } from "./parse-cost";
import { benchPolicy, policyMicrosPerCall } from "./policy-cost";
import { floorTable, setupTable, verdictTable, verdicts } from "./report";
import type { FloorFigures } from "./report";
import {
  alternate,
  failures,
  figures,
  medianOf,
  medianPaired,
  prepare,
  relayCpuPerCall,
  roundP50,
  roundRps,
  serverCpuPerCall,
} from "./rounds";
import type { Contender, Round } from "./rounds";
import { bundleGateway } from "../image/bundle";
import { bundleBareRelay, startBareRelay, startGatewayProcess, startSupergateway } from "./servers";

const { values: flags } = parseArgs({
  options: { rounds: { type: "string" }, "round-ms": { type: "string" }, "no-write": { type: "boolean", default: false } },
});
const MANY = 16;
const ONE = 1;
// Long enough for V8 to have compiled the relay's hot code with its optimizing tier: a gateway runs
// for days, and a 1.5 s warm-up measured the gateway (more code to tier up than the bare relay)
// about 10% above its steady state (docs/decisions.md, 2026-11-27).
const WARMUP_MS = 10_000;
// Many short alternating rounds: a burst of load from elsewhere on the machine lands on every
// contender of a round, and medians of per-round figures shrug off the bursts.
// 40: on this 2-core VM one round can cost twice the next, and with 16 rounds the same two
// relays measured anywhere from 1.16× to 1.38× apart from one run to the next.
const ROUNDS = Number(flags.rounds ?? 40);
const ROUND_MS = Number(flags["round-ms"] ?? 1_000);
const POLICY_ROUNDS = 10;
const TOKEN = "b".repeat(64);
const EMAIL = "bench@example.com";
const WORKER_HEADERS = { [MCPBOX_HEADERS.serviceToken]: TOKEN, [MCPBOX_HEADERS.userEmail]: EMAIL };

/** A round's relay CPU per call as a share of the MCP server's. */
const relayShare = (r: Round) => relayCpuPerCall(r) / serverCpuPerCall(r);

/** Median of `of(b round) / of(a round)` over paired rounds. */
const ratioOf = (a: Contender, b: Contender, clients: number, of: (r: Round) => number) =>
  medianPaired([a, b], clients, (ra, rb) => of(rb as Round) / of(ra as Round));

function failureLines(contenders: readonly Contender[]): string[] {
  const lines: string[] = [];
  for (const c of contenders)
    for (const [what, n] of failures(c)) lines.push(`- ${c.name}: ${n} × ${what.replace(/\s+/g, " ").slice(0, 200)}`);
  return lines.length > 0 ? ["Errors by kind:", "", ...lines, ""] : [];
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "mcpbox-bench-"));
  const stops: (() => Promise<void>)[] = [];
  const running = <T extends { close(): Promise<void> }>(r: T): T => {
    stops.push(() => r.close());
    return r;
  };
  // The gateway as its container image runs it: one bundled module under plain node, like the bare
  // relay (docs/decisions.md, 2026-11-27).
  const gatewayScript = join(dir, "gateway.mjs");
  await bundleGateway(gatewayScript);
  const startGateway = (env: Record<string, string>) => startGatewayProcess(env, [], gatewayScript);
  const gatewayEnv = (upstream: Record<string, string>, audit: string) => ({
    [GATEWAY_ENV.serviceToken]: TOKEN,
    [GATEWAY_ENV.auditLog]: join(dir, audit),
    ...upstream,
  });
  try {
    // (1) Streamable HTTP: direct, bare relay, gateway, alternating at 16 and at 1 client.
    const everything = running(await startEverythingHttp());
    const http = { [GATEWAY_ENV.upstreamUrl]: everything.url };
    const bare = running(await startBareRelay(everything.url, TOKEN, [], await bundleBareRelay(join(dir, "bare-relay.mjs"))));
    const gateway = running(await startGateway(gatewayEnv(http, "audit-http.jsonl")));
    const server = everything.pid;
    const levels = [MANY, ONE];
    // A relay in front of the HTTP server: its CPU is the relay's share, the server's the rest.
    const relayed = (name: string, relay: { url: string; pid: number }, at: readonly number[]) =>
      prepare(
        { name, target: { url: relay.url, headers: WORKER_HEADERS }, roots: [server, relay.pid], relayPid: relay.pid, serverPid: server },
        at,
        WARMUP_MS,
      );
    const direct = await prepare(
      { name: "direct", target: { url: everything.url, headers: {} }, roots: [server], serverPid: server },
      levels,
      WARMUP_MS,
    );
    const floor = await relayed("bare node:http relay", bare, levels);
    const gated = await relayed("gateway", gateway, levels);
    process.stdout.write(`HTTP: ${ROUNDS} rounds of ${ROUND_MS} ms per setup and level\n`);
    await alternate([direct, floor, gated], levels, ROUNDS, ROUND_MS);
    await gateway.close();
    await bare.close();

    // (3) The tool policy's cost: two fresh gateways (equally warm), one with a 50-rule policy.
    const policyPath = join(dir, "policy.yaml");
    await writeFile(policyPath, benchPolicy(EMAIL));
    const plainGateway = running(await startGateway(gatewayEnv(http, "audit-plain.jsonl")));
    const policyGateway = running(await startGateway({ ...gatewayEnv(http, "audit-policy.jsonl"), [GATEWAY_ENV.policy]: policyPath }));
    const plain = await relayed("gateway, no policy", plainGateway, [MANY]);
    const ruled = await relayed("gateway, 50-rule policy", policyGateway, [MANY]);
    process.stdout.write("policy rounds\n");
    await alternate([plain, ruled], [MANY], POLICY_ROUNDS, ROUND_MS);
    await policyGateway.close();
    await plainGateway.close();
    await everything.close();

    // (2) stdio: the gateway's bridge vs supergateway, same server.
    const stdioCommand = everythingStdioCommand();
    const stdioGateway = running(
      await startGateway({
        ...gatewayEnv({ [GATEWAY_ENV.upstreamCommand]: stdioCommand }, "audit-stdio.jsonl"),
        // All clients are one user here; by default one user may hold a quarter of the sessions.
        [GATEWAY_ENV.maxSessionsPerUser]: String(MANY),
      }),
    );
    const stateful = running(await startSupergateway(stdioCommand, true));
    const ours = await prepare(
      {
        name: "stdio server, gateway bridge (child per session)",
        target: { url: stdioGateway.url, headers: WORKER_HEADERS },
        roots: [stdioGateway.pid],
        relayPid: stdioGateway.pid,
      },
      [MANY],
      WARMUP_MS,
    );
    const theirs = await prepare(
      {
        name: "stdio server, supergateway --stateful (child per session)",
        target: { url: stateful.url, headers: {} },
        roots: [stateful.pid],
        relayPid: stateful.pid,
      },
      [MANY],
      WARMUP_MS,
    );
    process.stdout.write("stdio rounds\n");
    await alternate([ours, theirs], [MANY], ROUNDS, ROUND_MS);
    await stateful.close();
    await stdioGateway.close();
    const stateless = running(await startSupergateway(stdioCommand, false));
    // Its children live for one request each, too briefly to be sampled: no CPU figures here.
    const perRequest = await prepare(
      {
        name: "stdio server, supergateway default (child per request)",
        target: { url: stateless.url, headers: {} },
        roots: [],
        sessionless: true,
      },
      [MANY],
      0,
    );
    await alternate([perRequest], [MANY], 1, 3_000);
    await stateless.close();

    const f: FloorFigures = {
      cpuShare: {
        bare: medianOf(floor, MANY, relayShare),
        gateway: medianOf(gated, MANY, relayShare),
        ratio: ratioOf(floor, gated, MANY, relayShare),
      },
      relayCpu: {
        bare: medianOf(floor, MANY, relayCpuPerCall),
        gateway: medianOf(gated, MANY, relayCpuPerCall),
        ratio: ratioOf(floor, gated, MANY, relayCpuPerCall),
      },
      p50One: { bare: ratioOf(direct, floor, ONE, roundP50), gateway: ratioOf(direct, gated, ONE, roundP50) },
      p50Many: { bare: ratioOf(direct, floor, MANY, roundP50), gateway: ratioOf(direct, gated, MANY, roundP50) },
      rpsMany: { bare: ratioOf(direct, floor, MANY, roundRps), gateway: ratioOf(direct, gated, MANY, roundRps) },
      stdioRps: ratioOf(theirs, ours, MANY, roundRps),
      stdioCpu: { bridge: medianOf(ours, MANY, relayCpuPerCall), supergateway: medianOf(theirs, MANY, relayCpuPerCall) },
    };
    const policyCpu = ratioOf(plain, ruled, MANY, relayCpuPerCall);
    const policyRps = ratioOf(plain, ruled, MANY, roundRps);
    const policyMicros = policyMicrosPerCall(EMAIL);
    const plainCpu = medianOf(plain, MANY, relayCpuPerCall);
    const sl = figures(perRequest, MANY);
    const all = [direct, floor, gated, ours, theirs, perRequest, plain, ruled];
    const markdown = [
      "## Gateway (`npm run bench -w @mcpbox/gateway`)",
      "",
      `Machine: ${machineSummary()}.`,
      `Clients on loopback, each with its own MCP session and keep-alive connection, send \`tools/call\` echo round trips`,
      `back to back. ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s per setup and level after a ${WARMUP_MS / 1000} s warm-up; the order of the`,
      "setups rotates and reverses from round to round. Every server runs in its own process. The gateway runs as its container",
      "image runs it (the bundle of `gateway/image/bundle.ts` under plain `node`, like the bare relay), writes its audit log to a",
      "file and keeps its default SSE keepalive. CPU per call is read from /proc (each thread's schedstat, in ns) for the",
      "relay and the MCP server separately, per round; the load generator is not counted. The ratios are medians of",
      "per-round figures (paired rounds for ratios between setups).",
      "",
      "The floor is a bare `node:http` relay (`gateway/bench/bare-relay.ts`, bench code only): it checks the service token,",
      "buffers the body, forwards it through a keep-alive `http.Agent` and pipes the answer back, nothing else.",
      "",
      floorTable(f),
      "",
      "Relay CPU per call in each round (µs, 16 clients, in the order run), to show how much one round can stray on this machine:",
      "",
      ...[floor, gated].map(
        (c) => `- ${c.name}: ${(c.rounds.get(MANY) ?? []).map((r) => (relayCpuPerCall(r) * 1000).toFixed(0)).join(" ")}`,
      ),
      "",
      verdictTable(verdicts(f)),
      "",
      setupTable([
        figures(direct, MANY),
        figures(floor, MANY),
        figures(gated, MANY),
        figures(direct, ONE),
        figures(floor, ONE),
        figures(gated, ONE),
      ]),
      "",
      setupTable([figures(ours, MANY), figures(theirs, MANY), sl]),
      "",
      `supergateway's default mode (a child per request, one round of 3 s, no CPU figures: its children live too briefly to`,
      `be sampled): the bridge serves ${(figures(ours, MANY).rps / sl.rps).toFixed(1)}× its req/s.`,
      "",
      ...failureLines(all),
      "### Tool policy (`MCPBOX_POLICY`)",
      "",
      "Two fresh gateways in front of the same HTTP server, alternating: one without a policy and one with a 50-rule policy",
      "(`gateway/bench/policy-cost.ts`) under which every call is checked against deny and allow patterns and a rate limit,",
      `and allowed (16 clients, ${POLICY_ROUNDS} rounds).`,
      "",
      setupTable([figures(plain, MANY), figures(ruled, MANY)]),
      "",
      `Gateway CPU per call with the policy: **${policyCpu.toFixed(2)}×** the gateway without one (median of the per-round ratios);`,
      `req/s: ${(policyRps * 100).toFixed(1)}% of the gateway without one. The policy's own work per call (rules of the caller,`,
      `rate-limit bucket, message view, decision), timed in one process without the network: **${policyMicros.toFixed(2)} µs**,`,
      `${((policyMicros / 1000 / plainCpu) * 100).toFixed(2)}% of the gateway's CPU per call without a policy.`,
      "",
      "### Body parse",
      "",
      "CPU per body of the gateway's one parse (strict I-JSON parse, member-variant checks, classification) and of the",
      "re-serialized bytes an HTTP upstream receives, beside V8's JSON.parse/JSON.stringify of the same text (in-process):",
      "",
      parseCostTable(measureParseCost()),
    ].join("\n");
    process.stdout.write(
      `${markdown}\n\n(run took ${((Date.now() - started) / 1000).toFixed(0)} s on ${os.cpus().length} cores; load average ${os.loadavg()[0]?.toFixed(1)})\n`,
    );
    if (!flags["no-write"]) await writeBenchSection("gateway", markdown);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
