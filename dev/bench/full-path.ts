/**
 * `npm run bench` (dev part): the whole remote-access path on loopback. tools/call echo p50/p99
 * through Worker (Miniflare) + gateway against the same server-everything reached directly, in the
 * same run; a breakdown of where the added time goes; the Worker measured from inside workerd
 * (worker-probe/); and `npm start`'s time to ready.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { everythingEntry } from "@mcpbox/gateway";
import { GATEWAY_ENV, MCPBOX_HEADERS, QUIET_WRANGLER_ENV } from "@mcpbox/shared";
import { runAuthorizationCodeFlow } from "../src/test-kit";
import { freePort, writeBenchSection } from "../src/test-kit/node";
import { DEV_STACK_ENV } from "../src/stack";
import type { StackProcessReady } from "./stack-process";
import { measureStartup } from "./startup";
import { fullPathMarkdown } from "./report";
import { measureInterleaved, type Case } from "./timing";
import { measureWorkerInside } from "./worker-probe/measure";
import { workerInsideMarkdown } from "./worker-report";

const ROUNDS = 500;
const WARMUP = 100;
const STARTUP_RUNS = 3;
const TARGET_ADDED_P50_MS = 2;
const STARTUP_TARGET_MS = 15_000;
const EMAIL = "bench@example.com";

async function startEverythingHttp(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [everythingEntry(), "streamableHttp"], { env: { PATH: process.env.PATH ?? "", PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("listening on port")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited with ${code}: ${seen}`)));
  });
  child.stderr?.resume();
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}

async function startStackProcess(env: Record<string, string>): Promise<{ ready: StackProcessReady; child: ChildProcess }> {
  const child = fork(fileURLToPath(new URL("./stack-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), ...QUIET_WRANGLER_ENV, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<StackProcessReady>((resolve, reject) => {
    child.once("message", (message) => resolve(message as StackProcessReady));
    child.once("exit", (code) => reject(new Error(`the stack process exited with ${code}`)));
  });
  return { ready, child };
}

function stopChild(child: ChildProcess, how: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  how();
  return exited;
}

async function mcpClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "mcpbox-bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

function echoCase(name: string, client: Client): Case {
  return {
    name,
    async run() {
      const result = await client.callTool({ name: "echo", arguments: { message: "bench" } });
      if ((result.content as { text?: string }[])[0]?.text !== "Echo: bench") throw new Error(`${name}: unexpected result`);
    },
  };
}

function rawCase(name: string, expectStatus: number, request: () => Promise<Response>): Case {
  return {
    name,
    async run() {
      const response = await request();
      await response.arrayBuffer();
      if (response.status !== expectStatus) throw new Error(`${name}: status ${response.status}, expected ${expectStatus}`);
    },
  };
}

async function main(): Promise<void> {
  const stateRoot = await mkdtemp(path.join(os.tmpdir(), "mcpbox-bench-"));
  const upstream = await startEverythingHttp();
  const stackProcess = await startStackProcess({
    [DEV_STACK_ENV.workerPort]: "0",
    [DEV_STACK_ENV.idpPort]: "0",
    [DEV_STACK_ENV.gatewayPort]: "0",
    [DEV_STACK_ENV.stateDir]: path.join(stateRoot, "state"),
    [DEV_STACK_ENV.devVarsFile]: path.join(stateRoot, ".dev.vars"),
    [GATEWAY_ENV.upstreamUrl]: upstream.url,
    // The gateway writes its audit log as in production (a file), not into the bench's output.
    [GATEWAY_ENV.auditLog]: path.join(stateRoot, "audit.log"),
  });
  const clients: Client[] = [];
  try {
    const { urls, entryUrl, serviceToken } = stackProcess.ready;
    const flow = await runAuthorizationCodeFlow({ workerOrigin: urls.worker, worker: (request) => fetch(request) }, { mcpUrl: urls.mcp, email: EMAIL });
    const bearer = { Authorization: `Bearer ${flow.tokens.access_token}` };
    const entryFlow = await runAuthorizationCodeFlow({ workerOrigin: entryUrl, worker: (request) => fetch(request) }, { mcpUrl: `${entryUrl}/mcp`, email: EMAIL });
    const gatewayHeaders = { [MCPBOX_HEADERS.serviceToken]: serviceToken, [MCPBOX_HEADERS.userEmail]: EMAIL };
    const direct = await mcpClient(upstream.url, {});
    const viaGateway = await mcpClient(`${urls.gateway}/mcp`, gatewayHeaders);
    const fullPath = await mcpClient(urls.mcp, bearer);
    const viaEntry = await mcpClient(`${entryUrl}/mcp`, { Authorization: `Bearer ${entryFlow.tokens.access_token}` });
    clients.push(direct, viaGateway, fullPath, viaEntry);
    const post = (url: string, headers: Record<string, string>) => () =>
      fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers }, body: "{}" });

    const results = await measureInterleaved(
      [
        echoCase("direct", direct),
        echoCase("gateway", viaGateway),
        echoCase("full", fullPath),
        echoCase("full-entry", viaEntry),
        rawCase("health-gateway", 200, () => fetch(`${urls.gateway}/health`)),
        rawCase("health-worker", 200, () => fetch(`${urls.worker}/health`)),
        rawCase("health-entry", 200, () => fetch(`${entryUrl}/health`)),
        rawCase("mcp-no-token", 401, post(urls.mcp, {})),
        rawCase("mcp-unknown-token", 401, post(urls.mcp, { Authorization: `Bearer a:b:${"c".repeat(32)}` })),
      ],
      ROUNDS,
      WARMUP,
    );
    const { probe } = stackProcess.ready;
    const probeFlow = await runAuthorizationCodeFlow({ workerOrigin: probe.url, worker: (request) => fetch(request) }, { mcpUrl: `${probe.url}/mcp`, email: EMAIL });
    const viaProbe = await mcpClient(`${probe.url}/mcp`, { Authorization: `Bearer ${probeFlow.tokens.access_token}` });
    clients.push(viaProbe);
    const inside = await measureWorkerInside({
      probe,
      mcpCall: echoCase("probe", viaProbe).run,
      healthCall: rawCase("probe-health", 200, () => fetch(`${probe.url}/health`)).run,
      rounds: ROUNDS,
      warmup: WARMUP,
    });
    const markdown = fullPathMarkdown({
      rounds: ROUNDS,
      warmup: WARMUP,
      results,
      startupMs: await measureStartup(STARTUP_RUNS),
      stackTimings: stackProcess.ready.timings,
      targetAddedP50Ms: TARGET_ADDED_P50_MS,
      startupTargetMs: STARTUP_TARGET_MS,
    });
    const p50Of = (name: string) => results.get(name)?.p50 ?? Number.NaN;
    const section = `${markdown}\n\n${workerInsideMarkdown(inside, ROUNDS, p50Of("full") - p50Of("gateway"))}`;
    console.log(section);
    await writeBenchSection("dev", section);
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    await stopChild(stackProcess.child, () => stackProcess.child.send("stop"));
    await stopChild(upstream.child, () => upstream.child.kill("SIGTERM"));
    await rm(stateRoot, { recursive: true, force: true });
  }
}

await main();
