/**
 * `status`: every resource with its id and live state from the API, whether the Worker answers,
 * which secrets are present, and the local gateway's health. Reads only.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatResult } from "../src/cli/output";
import { runSetup } from "../src/commands/setup";
import { runStatus } from "../src/commands/status";
import { startGatewayStandIn, type GatewayStandIn } from "./helpers/gateway-stand-in";
import { createHarness, type Harness } from "./helpers/harness";
import { connectTunnel } from "./helpers/fake-cloudflare";

let h: Harness;
let gateway: GatewayStandIn;
beforeEach(async () => {
  h = await createHarness();
  gateway = await startGatewayStandIn([]);
  h.options = { ...h.options, gatewayHost: "127.0.0.1", gatewayPort: gateway.port };
});
afterEach(async () => {
  expect(h.fake.internalErrors).toEqual([]);
  await gateway.close();
  await h.close();
});

describe("status", () => {
  it("shows each resource with its id and live state", async () => {
    await runSetup(h.options, h.deps);
    const [tunnel] = h.account.tunnels.values();
    connectTunnel(h.account, tunnel?.id ?? "", "2025.9.1");
    h.fake.resetCalls();
    const status = await runStatus(h.options, h.deps);
    expect(h.fake.writes()).toEqual([]);
    expect(status.ok).toBe(true);
    expect(status.rows.map((r) => [r.resource, r.state])).toEqual([
      ["Tunnel", "ok"],
      ["Workers VPC service", "ok"],
      ["KV namespace", "ok"],
      ["Worker", "ok"],
      ["Worker secrets", "ok"],
      ["Access application", "ok"],
      ["Local gateway", "ok"],
    ]);
    expect(status.rows[0]).toMatchObject({ id: tunnel?.id, detail: "healthy, 1 connector(s) with 2 connection(s)" });
    expect(status.rows[4]?.detail).toBe("all 7 set");
    expect(status.mcpUrl).toBe("https://mcpbox-proxy.example.workers.dev/mcp");
    const text = formatResult(status);
    expect(text).toContain(`✓ Tunnel "mcpbox-tunnel" (${tunnel?.id}): healthy, 1 connector(s) with 2 connection(s)`);
    expect(text).toContain(`✓ Local gateway: http://127.0.0.1:${gateway.port}/health ok`);
  });

  it("reports what is wrong: tunnel down, a missing secret, the gateway not reachable", async () => {
    await runSetup(h.options, h.deps);
    h.account.scripts.get("mcpbox-proxy")?.secrets.delete("COOKIE_ENCRYPTION_KEY");
    await gateway.close();
    const status = await runStatus(h.options, h.deps);
    expect(status.ok).toBe(false);
    const row = (name: string) => status.rows.find((r) => r.resource === name);
    expect(row("Tunnel")).toMatchObject({ state: "problem", detail: "inactive, 0 connector(s) with 0 connection(s) — run doctor" });
    expect(row("Worker secrets")).toMatchObject({ state: "problem", detail: "missing COOKIE_ENCRYPTION_KEY — run secrets sync" });
    // Without that secret the Worker cannot answer /mcp properly.
    expect(row("Worker")?.state).toBe("problem");
    expect(row("Local gateway")?.detail).toMatch(/not reachable from here/);
  });

  it("marks resources not set up yet", async () => {
    const status = await runStatus(h.options, h.deps);
    expect(status.ok).toBe(false);
    expect(status.accountId).toBeUndefined();
    expect(h.fake.calls).toEqual([]);
  });
});
