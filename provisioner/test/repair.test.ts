/**
 * Setup as a repair tool: changed flags update exactly what they affect, resources deleted outside
 * setup come back wired to the rest, and the live check of the Worker waits for a new workers.dev
 * route (or fails with a next step, or is skipped with --no-verify).
 */
import { readEnvFile } from "../src/state/env-file";
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { VerifyError } from "../src/errors";
import { useFreshHarness, type Harness } from "./helpers/harness";
import { inventory } from "./helpers/fake-cloudflare";

let h: Harness;
useFreshHarness((harness) => (h = harness));

const writes = () => h.fake.writes().map((c) => `${c.method} ${c.path.replace(/^\/accounts\/[0-9a-f]{32}\//, "").replace(/[0-9a-f-]{36}/g, ":id")}`);

describe("changed flags", () => {
  it("a new --allow updates the Access policy and both allowlists that follow it (the state remembers it afterwards)", async () => {
    await runSetup(h.options, h.deps);
    h.fake.resetCalls();
    await runSetup({ ...h.options, allow: { kind: "domain", domain: "example.org" } }, h.deps);
    expect(writes()).toEqual(["PUT workers/scripts/mcpbox-proxy", "PUT access/apps/:id/policies/:id"]);
    const [policy] = [...h.account.apps.values()][0]?.policies.values() ?? [];
    expect(policy?.include).toEqual([{ email_domain: { domain: "example.org" } }]);
    const bindings = h.account.scripts.get("mcpbox-proxy")?.metadata.bindings as Array<{ name: string; text?: string }>;
    expect(bindings.find((b) => b.name === "ALLOWED_EMAILS")?.text).toBe("*@example.org");
    expect((await readEnvFile(h.envFile)).get("MCPBOX_ALLOWED_EMAILS")).toBe("*@example.org");
    h.fake.resetCalls();
    const { allow: _allow, ...withoutAllow } = h.options;
    expect((await runSetup(withoutAllow, h.deps)).changed).toBe(false);
  });

  it("a new --gateway-port updates the VPC service and the Worker's vars, nothing else", async () => {
    await runSetup(h.options, h.deps);
    h.fake.resetCalls();
    await runSetup({ ...h.options, gatewayPort: 8010 }, h.deps);
    expect(writes()).toEqual(["PUT connectivity/directory/services/:id", "PUT workers/scripts/mcpbox-proxy"]);
    expect([...h.account.services.values()][0]?.httpPort).toBe(8010);
    expect(h.account.scripts.get("mcpbox-proxy")?.metadata.bindings).toContainEqual({ type: "plain_text", name: "GATEWAY_TARGET_PORT", text: "8010" });
    // Remembered: a later run without the flag keeps 8010 and changes nothing.
    h.fake.resetCalls();
    const { gatewayPort: _port, ...withoutPort } = h.options;
    expect((await runSetup(withoutPort, h.deps)).changed).toBe(false);
    expect([...h.account.services.values()][0]?.httpPort).toBe(8010);
  });
});

describe("resources deleted outside setup", () => {
  it("come back, wired to what is still there", async () => {
    await runSetup(h.options, h.deps);
    const [oldTunnel] = h.account.tunnels.values();
    if (oldTunnel) oldTunnel.deletedAt = new Date().toISOString();
    h.account.scripts.delete("mcpbox-proxy");
    h.fake.resetCalls();
    await runSetup(h.options, h.deps);
    expect(inventory(h.account)).toMatchObject({ tunnels: ["mcpbox-tunnel"], scripts: ["mcpbox-proxy"], services: ["mcpbox-service"] });
    const newTunnel = [...h.account.tunnels.values()].find((t) => t.deletedAt === null);
    expect(newTunnel?.id).not.toBe(oldTunnel?.id);
    expect([...h.account.services.values()][0]?.host).toMatchObject({ resolver_network: { tunnel_id: newTunnel?.id } });
    expect(h.account.scripts.get("mcpbox-proxy")?.secrets.size).toBe(7);
    expect(h.output()).toContain("no longer exists");
  });
});

describe("the live check of the Worker", () => {
  it("waits while a new workers.dev route propagates", async () => {
    const original = h.deps.http;
    let warmed = false;
    const http: typeof fetch = async (input, init) => {
      const script = h.account.scripts.get("mcpbox-proxy");
      if (script && !warmed) {
        script.edgeWarmup = 2;
        warmed = true;
      }
      return (original ?? fetch)(input, init);
    };
    await runSetup(h.options, { ...h.deps, http });
    expect(h.sleeps).toEqual([1000]);
  });

  it("fails with a next step when the Worker never answers, and a later re-run passes without writes", async () => {
    const deps = { ...h.deps, http: (async () => new Response("nothing here", { status: 404 })) as typeof fetch };
    const error = await runSetup(h.options, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).message).toMatch(/\/health: HTTP 404/);
    expect((error as VerifyError).hint).toMatch(/Run setup again in a minute/);
    h.fake.resetCalls();
    expect((await runSetup(h.options, h.deps)).changed).toBe(false);
    expect(h.fake.writes()).toEqual([]);
  });

  it("is skipped with --no-verify", async () => {
    const asked: string[] = [];
    const http = (async (input: string | URL | Request) => {
      asked.push(String(input));
      throw new Error("should not be called");
    }) as typeof fetch;
    await runSetup({ ...h.options, verify: false }, { ...h.deps, http });
    expect(asked).toEqual([]);
  });
});
