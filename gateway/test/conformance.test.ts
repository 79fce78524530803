/**
 * The MCP conformance suite (`@modelcontextprotocol/conformance`, server scenarios, offline) run
 * against server-everything three ways: directly, through the gateway without a policy, and
 * through the gateway with a policy that allows this user everything. Every check of every
 * scenario must come out the same: the gateway (and a policy that refuses nothing) is invisible.
 * The suite cannot add headers, so a loopback stand-in adds what the Worker would, and forwards
 * only what the Worker forwards (a browser Origin reaching the gateway would meet its own
 * DNS-rebinding guard, which answers the suite's dns-rebinding scenario better than the server).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { GATEWAY_ENV } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_TOKEN, startTestGateway } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { policyDir } from "./helpers/policy";
import type { PolicyDir } from "./helpers/policy";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";
import { startWorkerStandIn } from "./helpers/worker-standin";
import type { StandIn } from "./helpers/worker-standin";

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve("@modelcontextprotocol/conformance/package.json")), "dist", "index.js");
const run = promisify(execFile);

const ALLOWING_POLICY = `default: deny
rate_limit: { requests_per_minute: 100000, burst: 10000 }
rules:
  - name: conformance-everything
    users: [conformance@example.com]
    allow: all
  - name: others-read-only
    users: ["*@elsewhere.example"]
    allow: read-only
`;

/** Every scenario's checks as `scenario/check: STATUS`, sorted. */
async function conformance(url: string): Promise<string[]> {
  const out = await mkdtemp(join(tmpdir(), "mcpbox-conformance-"));
  try {
    // Exit status 1 means "some check failed": server-everything is not the suite's reference server.
    await run(process.execPath, [CLI, "server", "--url", url, "--output-dir", out], { timeout: 120_000 }).catch(
      (error: { code?: number }) => {
        if (error.code !== 1) throw error;
      },
    );
    const lines: string[] = [];
    for (const entry of await readdir(out)) {
      const scenario = entry.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, "");
      const checks = JSON.parse(await readFile(join(out, entry, "checks.json"), "utf8")) as { id: string; status: string }[];
      for (const check of checks) lines.push(`${scenario}/${check.id}: ${check.status}`);
    }
    return lines.sort();
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

let upstream: RunningServer;
let plain: TestGateway;
let ruled: TestGateway;
let policy: PolicyDir;
const standIns: StandIn[] = [];

beforeAll(async () => {
  upstream = await startEverythingHttp();
  policy = await policyDir(ALLOWING_POLICY);
  plain = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url });
  ruled = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.policy]: policy.path });
  for (const gateway of [plain, ruled]) standIns.push(await startWorkerStandIn(gateway.url, SERVICE_TOKEN, "conformance@example.com"));
});
afterAll(async () => {
  for (const standIn of standIns) await standIn.close();
  await plain?.close();
  await ruled?.close();
  await upstream?.close();
  await policy?.remove();
});

describe("MCP conformance suite", () => {
  it(
    "gives the same result for every check directly, through the gateway, and through the gateway with a policy",
    { timeout: 180_000 },
    async () => {
      const direct = await conformance(upstream.url);
      expect(direct.length).toBeGreaterThan(30);
      expect(direct.filter((line) => line.endsWith(": SUCCESS")).length).toBeGreaterThan(10);
      expect(await conformance(standIns[0]?.url as string)).toEqual(direct);
      expect(await conformance(standIns[1]?.url as string)).toEqual(direct);
      expect(ruled.auditLines.length).toBeGreaterThan(30);
      expect(ruled.auditLines.some((line) => line.includes('"decision"'))).toBe(false);
    },
  );
});
