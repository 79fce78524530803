/**
 * `doctor`'s three cases against the fake API and a stand-in gateway: the tunnel does not connect
 * (and connectors too old for Workers VPC), 403s from a service token that drifted between the
 * state, the env file and the running gateway, and the sign-in loop of a Zero Trust organization
 * without an identity provider. Each finding says what was checked, what was seen, what to do.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDoctor, type Finding } from "../src/commands/doctor";
import { runSetup } from "../src/commands/setup";
import { formatResult } from "../src/cli/output";
import { updateEnvFile } from "../src/state/env-file";
import { startGatewayStandIn, type GatewayStandIn } from "./helpers/gateway-stand-in";
import { createHarness, type Harness } from "./helpers/harness";
import { connectTunnel } from "./helpers/fake-cloudflare";

let h: Harness;
let gateway: GatewayStandIn;
let token: string;

beforeEach(async () => {
  h = await createHarness();
  await runSetup(h.options, h.deps);
  token = h.account.scripts.get("mcpbox-proxy")?.secrets.get("MCPBOX_SERVICE_TOKEN") ?? "";
  gateway = await startGatewayStandIn([token]);
  h.options = { ...h.options, gatewayHost: "127.0.0.1", gatewayPort: gateway.port };
  h.fake.resetCalls();
});
afterEach(async () => {
  expect(h.fake.internalErrors).toEqual([]);
  await gateway.close();
  await h.close();
});

const problems = (findings: Finding[]) => findings.filter((f) => f.status === "problem");
const connect = (version: string) => connectTunnel(h.account, [...h.account.tunnels.keys()][0] ?? "", version);

describe("doctor", () => {
  it("finds nothing wrong on a healthy setup, and writes nothing", async () => {
    connect("2025.9.1");
    const result = await runDoctor(h.options, h.deps);
    expect(problems(result.findings)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(h.fake.writes()).toEqual([]);
    expect(result.findings.map((f) => f.area)).toEqual(expect.arrayContaining(["tunnel", "service-token", "sign-in"]));
  });

  it("tunnel not connecting: asks whether cloudflared runs, its version, and outbound UDP 7844", async () => {
    const result = await runDoctor(h.options, { ...h.deps, cloudflaredVersion: async () => "2025.1.0" });
    const [finding] = problems(result.findings);
    expect(finding?.area).toBe("tunnel");
    expect(finding?.seen).toBe('status "inactive", no cloudflared connected (the tunnel\'s connections list is empty)');
    expect(finding?.action).toContain("Is cloudflared running?");
    expect(finding?.action).toContain("docker compose logs cloudflared");
    expect(finding?.action).toContain(`TUNNEL_TOKEN in ${h.envFile}; running setup again fetches the tunnel's token into that file`);
    expect(finding?.action).toContain("2025.7.0");
    expect(finding?.action).toContain("this machine has 2025.1.0: too old");
    expect(finding?.action).toContain("UDP to port 7844");
    expect(result.ok).toBe(false);
  });

  it("flags a connected cloudflared that is too old for Workers VPC", async () => {
    connect("2024.12.2");
    const [finding] = problems((await runDoctor(h.options, h.deps)).findings);
    expect(finding?.seen).toContain("2024.12.2");
    expect(finding?.action).toMatch(/Upgrade cloudflared/);
  });

  it("403: the running gateway has another token than the state", async () => {
    connect("2025.9.1");
    gateway.tokens = ["a".repeat(64)];
    const result = await runDoctor(h.options, h.deps);
    const [finding] = problems(result.findings);
    expect(finding?.area).toBe("service-token");
    expect(finding?.check).toBe("the running gateway accepts the state's service token");
    expect(finding?.seen).toMatch(/answered 403 to it: it runs with another token/);
    expect(finding?.action).toMatch(/secrets sync.*restart the gateway/);
    // `docker compose restart` would keep the old environment: the container must be recreated.
    expect(finding?.action).toContain("docker compose up -d --force-recreate mcp-gateway");
    expect(finding?.action).toContain("npm run connect");
    expect(gateway.seen).toContain(token);
  });

  it("403: the env file does not hold the state's token", async () => {
    connect("2025.9.1");
    await updateEnvFile(h.envFile, { MCPBOX_SERVICE_TOKEN: "b".repeat(64) });
    const [finding] = problems((await runDoctor(h.options, h.deps)).findings);
    expect(finding?.check).toContain(".env has the state's service token");
    expect(finding?.seen).toBe("1 token(s), none of them the state's current token");
    expect(finding?.action).toContain("secrets sync");
  });

  it("403: the Worker lost its service token secret", async () => {
    connect("2025.9.1");
    h.account.scripts.get("mcpbox-proxy")?.secrets.delete("MCPBOX_SERVICE_TOKEN");
    const [finding] = problems((await runDoctor(h.options, h.deps)).findings);
    expect(finding?.check).toBe("the Worker sends the state's service token");
    expect(finding?.seen).toBe("the Worker has no MCPBOX_SERVICE_TOKEN secret");
  });

  it("sign-in loop: no identity provider in Zero Trust", async () => {
    connect("2025.9.1");
    h.account.identityProviders.length = 0;
    const result = await runDoctor(h.options, h.deps);
    const [finding] = problems(result.findings);
    expect(finding?.area).toBe("sign-in");
    expect(finding?.seen).toBe("no identity provider configured");
    expect(finding?.action).toContain("One-time PIN");
    const text = formatResult(result);
    expect(text).toContain("Sign-in redirect loop");
    expect(text).toMatch(/✗ checked: Zero Trust has an identity provider[\s\S]*seen: no identity provider configured[\s\S]*do: Add one/);
  });

  it("skips the gateway check, saying why, when the gateway cannot be reached", async () => {
    connect("2025.9.1");
    await gateway.close();
    const result = await runDoctor(h.options, h.deps);
    const skipped = result.findings.find((f) => f.check === "the running gateway accepts the state's service token");
    expect(skipped?.status).toBe("skipped");
    expect(skipped?.seen).toMatch(/not reachable from here/);
  });
});
