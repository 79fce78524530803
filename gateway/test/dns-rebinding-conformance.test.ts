/**
 * The MCP conformance suite's `dns-rebinding-protection` scenario (@modelcontextprotocol/conformance,
 * offline) against the gateway: a foreign Host/Origin must be refused with a 4xx, a loopback
 * Host/Origin (`http://127.0.0.1:<port>`) accepted with a 2xx (issue 10 §5). The suite speaks
 * plain MCP, so it talks to a loopback stand-in for the Worker that adds the service token and an
 * email and passes Host and Origin through untouched, as the gateway receives them in production.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { GATEWAY_ENV, GATEWAY_PATHS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";

const require = createRequire(import.meta.url);
const CONFORMANCE = join(require.resolve("@modelcontextprotocol/conformance/package.json"), "..", "dist", "index.js");

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
  details?: { statusCode?: number; hostHeader?: string; originHeader?: string };
}

let everything: RunningServer;
let gateway: TestGateway;
let standIn: Server;
let dir: string;

/** The Worker's part, reduced to what the scenario needs: token and email added, nothing else changed. */
function workerStandIn(target: TestGateway, email: string): Promise<Server> {
  const server = createServer((incoming, outgoing) => {
    const forward = request(
      {
        host: "127.0.0.1",
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, ...target.headers(email) },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on("error", () => outgoing.destroy());
    incoming.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function findChecks(root: string): Promise<Check[]> {
  for (const entry of await readdir(root, { recursive: true })) {
    if (entry.endsWith("checks.json")) return JSON.parse(await readFile(join(root, entry), "utf8")) as Check[];
  }
  throw new Error(`the conformance run wrote no checks.json under ${root}`);
}

function runScenario(url: string, outputDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [CONFORMANCE, "server", "--url", url, "--scenario", "dns-rebinding-protection", "-o", outputDir],
      {
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpbox-conformance-"));
  everything = await startEverythingHttp();
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: everything.url });
  standIn = await workerStandIn(gateway, "conformance@example.com");
});
afterAll(async () => {
  await new Promise<void>((resolve) => (standIn ? standIn.close(() => resolve()) : resolve()));
  await gateway?.close();
  await everything?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("MCP conformance: dns-rebinding-protection", () => {
  it("passes in full: a foreign Host/Origin refused, a loopback Host/Origin accepted", { timeout: 60_000 }, async () => {
    const { port } = standIn.address() as AddressInfo;
    const run = await runScenario(`http://127.0.0.1:${port}${GATEWAY_PATHS.mcp}`, dir);
    const checks = await findChecks(dir);
    const summary = checks.map((c) => [c.id, c.status, c.details?.statusCode]);
    expect(summary, run.output).toEqual([
      ["localhost-host-rebinding-rejected", "SUCCESS", 403],
      ["localhost-host-valid-accepted", "SUCCESS", 200],
    ]);
    expect(run.code).toBe(0);
  });
});
