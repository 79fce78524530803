/**
 * The Worker's plain-text variables and the env file: ALLOWED_EMAILS, CORS_ORIGINS and the token
 * lifetime come from flags and the state and are sent again as recorded on every upload, never as
 * wrangler.toml's empty defaults; `--allow emails:…|domain:…` also lands in the env file as
 * MCPBOX_ALLOWED_EMAILS; and the env file defaults to gateway.env next to the state, mode 0600.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { readEnvFile } from "../src/state/env-file";
import { fixtureBundle, useFreshHarness, type Harness } from "./helpers/harness";

let h: Harness;
useFreshHarness((harness) => (h = harness));

function workerVars(): Record<string, string> {
  const bindings = (h.account.scripts.get("mcpbox-proxy")?.metadata.bindings ?? []) as Array<{ type: string; name: string; text?: string }>;
  return Object.fromEntries(bindings.filter((b) => b.type === "plain_text").map((b) => [b.name, b.text ?? ""]));
}

/** What a bundle of today's wrangler.toml carries: every variable, most of them empty. */
const tomlDefaults = async () => ({ ...fixtureBundle(), vars: { GATEWAY_TARGET_HOST: "mcp-gateway", GATEWAY_TARGET_PORT: "8002", CORS_ORIGINS: "", ALLOWED_EMAILS: "", ACCESS_ISSUER: "", ACCESS_TOKEN_TTL_SECONDS: "3600" } });

describe("Worker variables", () => {
  it("come from the flags, and a re-upload sends them as recorded, not wrangler.toml's defaults", async () => {
    await runSetup(
      { ...h.options, allow: { kind: "emails", emails: ["a@example.com", "b@example.org"] }, corsOrigins: ["https://app.example.com"], accessTokenTtlSeconds: 900 },
      { ...h.deps, bundler: tomlDefaults },
    );
    const expected = {
      ACCESS_TOKEN_TTL_SECONDS: "900",
      ALLOWED_EMAILS: "a@example.com,b@example.org",
      CORS_ORIGINS: "https://app.example.com",
      GATEWAY_TARGET_HOST: "mcp-gateway",
      GATEWAY_TARGET_PORT: String(h.options.gatewayPort),
    };
    expect(workerVars()).toEqual(expected);

    // A new bundle (changed code) forces an upload; the run passes no flag but --state.
    const { allow: _allow, ...noFlags } = h.options;
    const changed = async () => ({ ...(await tomlDefaults()), modules: fixtureBundle('export default { async fetch() { return new Response("v2"); } };\n').modules });
    h.fake.resetCalls();
    await runSetup(noFlags, { ...h.deps, bundler: changed });
    expect(h.fake.writes().map((c) => c.method)).toEqual(["PUT"]);
    expect(h.account.scripts.get("mcpbox-proxy")?.uploads).toBe(2);
    expect(workerVars()).toEqual(expected);
  });

  it("--allow domain: sets the Worker's and the gateway's allowlists to the same *@domain", async () => {
    await runSetup({ ...h.options, allow: { kind: "domain", domain: "example.org" } }, h.deps);
    expect(workerVars().ALLOWED_EMAILS).toBe("*@example.org");
    expect((await readEnvFile(h.envFile)).get("MCPBOX_ALLOWED_EMAILS")).toBe("*@example.org");
  });

  it("--allow everyone leaves the env file's allowlist alone and points out a narrower one", async () => {
    await runSetup(h.options, h.deps);
    expect((await readEnvFile(h.envFile)).get("MCPBOX_ALLOWED_EMAILS")).toBe("me@example.com");
    await runSetup({ ...h.options, allow: { kind: "everyone" } }, h.deps);
    expect(workerVars().ALLOWED_EMAILS).toBe("");
    expect((await readEnvFile(h.envFile)).get("MCPBOX_ALLOWED_EMAILS")).toBe("me@example.com");
    expect(h.output()).toContain("still limits the gateway to MCPBOX_ALLOWED_EMAILS=me@example.com, while Access lets everyone sign in");
  });
});

describe("the env file", () => {
  it("defaults to gateway.env next to the state, mode 0600, with all three keys", async () => {
    const { envFile: _envFile, ...options } = h.options;
    await runSetup(options, h.deps);
    const file = path.join(path.dirname(h.statePath), "gateway.env");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const env = await readEnvFile(file);
    expect([...env.keys()].sort()).toEqual(["MCPBOX_ALLOWED_EMAILS", "MCPBOX_SERVICE_TOKEN", "TUNNEL_TOKEN"]);
  });

  it("gets the tunnel token back when setup runs again after it was lost", async () => {
    await runSetup(h.options, h.deps);
    const token = (await readEnvFile(h.envFile)).get("TUNNEL_TOKEN");
    const { updateEnvFile } = await import("../src/state/env-file");
    await updateEnvFile(h.envFile, { TUNNEL_TOKEN: "" });
    h.fake.resetCalls();
    await runSetup(h.options, h.deps);
    expect(h.fake.writes()).toEqual([]);
    expect((await readEnvFile(h.envFile)).get("TUNNEL_TOKEN")).toBe(token);
  });
});

describe("who may sign in, across a resume", () => {
  it("is recorded before the first write, so a run stopped before the Access step resumes without --allow", async () => {
    h.fake.injectFault({ kind: "status", status: 500, method: "POST", path: /access\/apps$/, times: 50 });
    await expect(runSetup({ ...h.options, allow: { kind: "domain", domain: "example.org" } }, h.deps)).rejects.toMatchObject({ status: 500 });
    h.fake.clearFaults();
    const { allow: _allow, ...noAllow } = h.options;
    await runSetup(noAllow, h.deps);
    const [app] = h.account.apps.values();
    expect([...(app?.policies.values() ?? [])][0]?.include).toEqual([{ email_domain: { domain: "example.org" } }]);
    expect(workerVars().ALLOWED_EMAILS).toBe("*@example.org");
  });
});
