/**
 * Where the gateway's CPU goes under the benchmark's load: the gateway runs with `--cpu-prof` in
 * front of server-everything (over Streamable HTTP, or over stdio with `--stdio`), 16 clients send
 * tools/call echo round trips for a while, and the V8 profile written at its exit is reduced to
 * the hottest frames (self and total time, each as a share of the busy samples) and to the share
 * of each area (our code, hono, @hono/node-server, undici, the MCP SDK, Node's own modules).
 * The gateway runs as the container image runs it, bundled into one module (image/bundle.ts's
 * settings, plus a source map that names each frame's original file); only the samples taken
 * while the measured load ran count, not start-up or shutdown.
 *
 *   npx tsx gateway/bench/profile.ts [--stdio] [--seconds 15] [--top 25] [--keep <dir>]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { everythingStdioCommand, startEverythingHttp } from "../test/helpers/processes";
import { closeSession, openSession, runLoad } from "./load";
import { summarize } from "./profile-summary";
import type { CpuProfile } from "./profile-summary";
import { BUNDLE_OPTIONS } from "../image/bundle";
import { bundleBareRelay, startBareRelay, startGatewayProcess } from "./servers";
import type { Running } from "./servers";

/**
 * `strace -c -f` attached to `pid` while the load runs: system calls per call by kind. Its own
 * overhead slows the relay down, so a run with it says nothing about time, only about counts.
 */
function startStrace(pid: number, out: string): { stop(calls: number): Promise<string> } {
  const child = spawn("strace", ["-c", "-f", "-o", out, "-p", String(pid)], { stdio: "ignore" });
  return {
    async stop(calls) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGINT");
      await exited;
      const lines = (await readFile(out, "utf8")).split("\n");
      const rows = lines.flatMap((line) => {
        const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$/.exec(line);
        return m ? [`${m[2]}: ${(Number(m[1]) / calls).toFixed(2)}`] : [];
      });
      return `system calls per call (strace -c -f): ${rows.join(", ")}`;
    },
  };
}

const { values: flags } = parseArgs({
  options: {
    stdio: { type: "boolean", default: false },
    bare: { type: "boolean", default: false },
    strace: { type: "boolean", default: false },
    seconds: { type: "string" },
    top: { type: "string" },
    keep: { type: "string" },
  },
});
const CLIENTS = 16;
const TOKEN = "p".repeat(64);
const HEADERS = { [MCPBOX_HEADERS.serviceToken]: TOKEN, [MCPBOX_HEADERS.userEmail]: "bench@example.com" };

async function main(): Promise<void> {
  const dir = flags.keep ?? (await mkdtemp(join(tmpdir(), "mcpbox-profile-")));
  const everything = flags.stdio ? undefined : await startEverythingHttp();
  const upstream: Record<string, string> = everything
    ? { [GATEWAY_ENV.upstreamUrl]: everything.url }
    : { [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand() };
  const bundle = join(dir, "relay.mjs");
  const nodeArgs = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
  const env = {
    [GATEWAY_ENV.serviceToken]: TOKEN,
    [GATEWAY_ENV.auditLog]: join(dir, "audit.jsonl"),
    [GATEWAY_ENV.maxSessionsPerUser]: String(CLIENTS),
    ...upstream,
  };
  let gateway: Running;
  if (flags.bare) {
    if (!everything) throw new Error("--bare relays to the HTTP server: leave out --stdio");
    gateway = await startBareRelay(everything.url, TOKEN, nodeArgs, await bundleBareRelay(bundle, true));
  } else {
    await build({ ...BUNDLE_OPTIONS, outfile: bundle, sourcemap: "external" });
    gateway = await startGatewayProcess(env, nodeArgs, bundle);
  }
  const loadMs = Number(flags.seconds ?? 15) * 1000;
  let afterLoad = 0;
  let closeMs: number;
  try {
    const target = { url: gateway.url, headers: HEADERS };
    const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => openSession(target)));
    await runLoad(sessions, 2_000);
    const tracer = flags.strace ? startStrace(gateway.pid, join(dir, "strace.txt")) : undefined;
    const result = await runLoad(sessions, loadMs);
    afterLoad = performance.now();
    if (tracer) process.stdout.write(`${await tracer.stop(result.latenciesMs.length)}\n`);
    await Promise.all(sessions.map(closeSession));
    process.stdout.write(`${result.latenciesMs.length} calls, ${result.errors} errors\n`);
  } finally {
    await gateway.close();
    closeMs = performance.now() - afterLoad;
    await everything?.close();
  }
  const file = (await readdir(dir)).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
  const map = new SourceMap(JSON.parse(await readFile(`${bundle}.map`, "utf8")));
  const summary = summarize(profile, {
    top: Number(flags.top ?? 25),
    window: { fromEndMs: closeMs + loadMs, toEndMs: closeMs },
    bundle: { url: pathToFileURL(bundle).href, map },
  });
  process.stdout.write(`${summary}\n`);
  if (!flags.keep) await rm(dir, { recursive: true, force: true });
  else process.stdout.write(`profile kept: ${join(dir, file)}\n`);
}

await main();
