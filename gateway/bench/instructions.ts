/**
 * `npm run bench:instructions -w @mcpbox/gateway`: the relays' user-space instructions per
 * `tools/call`, counted by valgrind's callgrind. On a shared 2-core VM the CPU time of the same
 * code strays by ±10% from one run to the next; this count repeats within about 0.5%, so it shows
 * a change of a thousand instructions per call that `npm run bench` cannot.
 *
 * The bare `node:http` relay and the gateway (both bundled, the gateway as the image runs it, audit
 * log to a file, default SSE keepalive) run side by side under callgrind in front of the same
 * server-everything. Each is warmed up until V8 has compiled its hot code, then counted over the
 * next calls only (callgrind_control switches counting on and off). One client by default: with
 * several, how many requests one turn of the event loop takes in depends on timing, and the
 * count per call with it (16 clients: the same bare relay counted 316 k in one run, 348 k in
 * the next). What V8's compilers did in the counted window is shown apart: it is the tail of the
 * warm-up, not the relay's work. The kernel's share (syscalls, TCP) is not counted; `perf` shows
 * it the same for both relays (docs/decisions.md). Work driven by the clock is overcounted: under
 * callgrind a relay serves about a hundred calls a second, so an interval that ticks every 5 ms
 * counts twice per call here and 0.04 times per call at the benchmark's real rate.
 *
 *   npm run bench:instructions -w @mcpbox/gateway [-- --clients 1 --warm-calls 10000 --calls 1000 --no-write]
 *
 * Needs valgrind (Debian: `apt install valgrind`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { machineSummary, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { startEverythingHttp } from "../test/helpers/processes";
import { bundleGateway } from "../image/bundle";
import { closeSession, openSession, runLoad } from "./load";
import type { Session } from "./load";
import { bundleBareRelay, startBareRelay, startGatewayProcess } from "./servers";
import type { Running } from "./servers";

const { values: flags } = parseArgs({
  options: {
    clients: { type: "string" },
    "warm-calls": { type: "string" },
    calls: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const CLIENTS = Number(flags.clients ?? 1);
// Under callgrind a relay serves a hundred-odd calls a second. After 3 000 calls V8's optimizing
// compiler was still busy in the counted window (half of the gateway's count); after 10 000 it
// has all but caught up.
const WARM_CALLS = Number(flags["warm-calls"] ?? 10_000);
const CALLS = Number(flags.calls ?? 1_000);
const TOKEN = "i".repeat(64);
const WORKER_HEADERS = { [MCPBOX_HEADERS.serviceToken]: TOKEN, [MCPBOX_HEADERS.userEmail]: "bench@example.com" };
// Functions of V8's parsers, bytecode generator and compilers (Sparkplug, Maglev, Turbofan), all in
// v8::internal: Node's HTTP parser (node::http_parser::Parser) is the relays' own work.
const COMPILER =
  /v8::internal::(?:compiler|maglev|turboshaft|baseline|interpreter)::|v8::internal::(?:Parser|PreParser|Scanner|Zone|SourcePosition\w*|Compiler|OptimizingCompileDispatcher|BytecodeGenerator|Maglev\w*)\b/;

interface Count {
  name: string;
  calls: number;
  /** Instructions per call: all, V8's compilers, the rest (the relay's own work). */
  all: number;
  compiler: number;
  relay: number;
}

function requireValgrind(): void {
  if (spawnSync("valgrind", ["--version"]).status !== 0 || spawnSync("callgrind_annotate", ["--version"]).error !== undefined) {
    process.stderr.write("valgrind is not installed: this benchmark counts instructions with callgrind (Debian: apt install valgrind)\n");
    process.exit(1);
  }
}

/** Instructions per function of one callgrind dump, as callgrind_annotate lists them. */
function functionCounts(file: string): Map<string, number> {
  // callgrind_annotate complains on stderr about sources it cannot find; its table is on stdout.
  const { stdout } = spawnSync("callgrind_annotate", ["--inclusive=no", "--threshold=100", file], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const counts = new Map<string, number>();
  for (const line of stdout.split("\n")) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match || (match[2] as string).includes("PROGRAM TOTALS")) continue;
    const name = match[2] as string;
    counts.set(name, (counts.get(name) ?? 0) + Number((match[1] as string).replaceAll(",", "")));
  }
  return counts;
}

/** Warms `relay` up, counts its instructions over the next CALLS calls, and sums the dumps. */
async function count(name: string, relay: Running, outDir: string): Promise<Count> {
  const sessions: Session[] = await Promise.all(
    Array.from({ length: CLIENTS }, () => openSession({ url: relay.url, headers: WORKER_HEADERS })),
  );
  for (let warm = 0; warm < WARM_CALLS;) warm += (await runLoad(sessions, 2_000)).latenciesMs.length;
  const pid = String(relay.pid);
  execFileSync("callgrind_control", ["--zero", pid], { stdio: "ignore" });
  execFileSync("callgrind_control", ["--instr=on", pid], { stdio: "ignore" });
  let calls = 0;
  while (calls < CALLS) calls += (await runLoad(sessions, 1_000)).latenciesMs.length;
  execFileSync("callgrind_control", ["--instr=off", pid], { stdio: "ignore" });
  execFileSync("callgrind_control", ["--dump", pid], { stdio: "ignore" });
  await Promise.all(sessions.map(closeSession));
  let all = 0;
  let compiler = 0;
  for (const file of await readdir(outDir)) {
    if (!file.startsWith("callgrind.out")) continue;
    for (const [fn, n] of functionCounts(join(outDir, file))) {
      all += n;
      if (COMPILER.test(fn)) compiler += n;
    }
  }
  return { name, calls, all: all / calls, compiler: compiler / calls, relay: (all - compiler) / calls };
}

/** The command that runs a relay under callgrind, counting off until told otherwise, its output in `outDir`. */
const callgrind = (outDir: string): string[] => [
  "valgrind",
  "--tool=callgrind",
  "--instr-atstart=no",
  "--cache-sim=no",
  `--callgrind-out-file=${join(outDir, "callgrind.out")}`,
  `--log-file=${join(outDir, "valgrind.log")}`,
];

const kilo = (n: number) => (n / 1000).toFixed(1);

async function main(): Promise<void> {
  requireValgrind();
  const dir = await mkdtemp(join(tmpdir(), "mcpbox-instructions-"));
  const stops: (() => Promise<void>)[] = [];
  try {
    const everything = await startEverythingHttp();
    stops.push(() => everything.close());
    const bareScript = await bundleBareRelay(join(dir, "bare-relay.mjs"));
    const gatewayScript = join(dir, "gateway.mjs");
    await bundleGateway(gatewayScript);
    const out = { bare: join(dir, "bare"), gateway: join(dir, "gateway") };
    for (const path of Object.values(out)) await mkdir(path);
    const bare = await startBareRelay(everything.url, TOKEN, [], bareScript, callgrind(out.bare));
    stops.push(() => bare.close());
    const gatewayEnv = {
      [GATEWAY_ENV.serviceToken]: TOKEN,
      [GATEWAY_ENV.auditLog]: join(dir, "audit.jsonl"),
      [GATEWAY_ENV.upstreamUrl]: everything.url,
    };
    const gateway = await startGatewayProcess(gatewayEnv, [], gatewayScript, callgrind(out.gateway));
    stops.push(() => gateway.close());
    process.stdout.write(`counting: ${WARM_CALLS} warm-up calls, then ${CALLS} counted, per relay (a few minutes)\n`);
    // Side by side: with one client, what a call executes does not depend on what else the machine runs.
    const [floor, ours] = await Promise.all([count("bare node:http relay", bare, out.bare), count("gateway", gateway, out.gateway)]);
    const markdown = [
      "### Instructions per call (`npm run bench:instructions -w @mcpbox/gateway`)",
      "",
      `Machine: ${machineSummary()}.`,
      `User-space instructions per \`tools/call\`, counted by valgrind's callgrind over ${CALLS}+ calls after ${WARM_CALLS} warm-up calls`,
      `(${CLIENTS} client${CLIENTS === 1 ? "" : "s"}, both relays bundled, the gateway with its audit log and SSE keepalive). Repeats within about 0.5%;`,
      "the kernel's share is not counted (perf shows it the same for both relays). What V8's compilers did in the",
      "counted window is shown apart. Under callgrind a relay serves about 100 calls a second, so work driven by",
      "the clock (intervals, timers that fire) counts far more per call here than at full speed.",
      "",
      "| relay | calls counted | k instructions per call | of which V8's compilers | relay's own |",
      "|---|---:|---:|---:|---:|",
      ...[floor, ours].map((c) => `| ${c.name} | ${c.calls} | ${kilo(c.all)} | ${kilo(c.compiler)} | ${kilo(c.relay)} |`),
      "",
      `The gateway's own instructions per call: **${(ours.relay / floor.relay).toFixed(3)}×** the bare relay's (+${kilo(ours.relay - floor.relay)} k).`,
    ].join("\n");
    process.stdout.write(`${markdown}\n`);
    if (!flags["no-write"]) await writeBenchSection("gateway-instructions", markdown);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
