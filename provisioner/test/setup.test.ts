/**
 * `setup` against the fake Cloudflare API: a fresh account ends with every resource created once,
 * wired together, secrets set, files written with mode 0600; a re-run sends zero writes and says so.
 */
import { readFile, stat } from "node:fs/promises";
import { accessOidcUrls, WORKER_SECRET_NAMES } from "@mcpbox/shared";
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { readEnvFile } from "../src/state/env-file";
import { COMPLETE_INVENTORY, useFreshHarness, type Harness } from "./helpers/harness";
import { inventory } from "./helpers/fake-cloudflare";

let h: Harness;
useFreshHarness((harness) => (h = harness));

describe("setup on a fresh account", () => {
  it("creates each resource once and wires them together", async () => {
    const result = await runSetup(h.options, h.deps);
    expect(result.changed).toBe(true);
    expect(inventory(h.account)).toEqual(COMPLETE_INVENTORY);
    const [tunnel] = h.account.tunnels.values();
    const [service] = h.account.services.values();
    const [kv] = h.account.kv.values();
    const script = h.account.scripts.get("mcpbox-proxy");
    const [app] = h.account.apps.values();
    expect(tunnel?.configSrc).toBe("cloudflare");
    expect(service?.host).toEqual({ hostname: "mcp-gateway", resolver_network: { tunnel_id: tunnel?.id } });
    expect(service?.httpPort).toBe(h.options.gatewayPort);
    expect(script?.metadata.bindings).toEqual(
      expect.arrayContaining([
        { type: "kv_namespace", name: "OAUTH_KV", namespace_id: kv?.id },
        { type: "vpc_service", name: "MCPBOX_TUNNEL", service_id: service?.id },
      ]),
    );
    expect(script?.workersDev).toBe(true);
    expect(app?.saas?.redirect_uris).toEqual(["https://mcpbox-proxy.example.workers.dev/callback"]);
    expect(app?.saas?.grant_types).toEqual(["authorization_code_with_pkce", "refresh_tokens"]);
    expect(app?.saas?.options.refresh_token_options).toEqual({ lifetime: "12h" });
    expect(app?.saas?.scopes).toEqual(["openid", "email", "profile"]);
    const [policy] = app?.policies.values() ?? [];
    expect(policy?.include).toEqual([{ email: { email: "me@example.com" } }]);

    // All seven secrets, with the Access URLs built from the org's auth domain and the client id.
    expect([...(script?.secrets.keys() ?? [])].sort()).toEqual([...WORKER_SECRET_NAMES].sort());
    const urls = accessOidcUrls("https://example.cloudflareaccess.com", app?.saas?.client_id ?? "");
    expect(script?.secrets.get("ACCESS_CLIENT_ID")).toBe(app?.saas?.client_id);
    expect(script?.secrets.get("ACCESS_CLIENT_SECRET")).toBe(app?.clientSecret);
    expect(script?.secrets.get("ACCESS_AUTHORIZATION_URL")).toBe(urls.authorizationUrl);
    expect(script?.secrets.get("ACCESS_TOKEN_URL")).toBe(urls.tokenUrl);
    expect(script?.secrets.get("ACCESS_JWKS_URL")).toBe(urls.jwksUrl);
    expect(script?.secrets.get("COOKIE_ENCRYPTION_KEY")).toMatch(/^[0-9a-f]{64}$/);
    expect(script?.secrets.get("MCPBOX_SERVICE_TOKEN")).toMatch(/^[0-9a-f]{64}$/);
    // One bulk operation, not seven.
    expect(
      h.fake
        .writes()
        .filter((c) => c.path.includes("/secrets"))
        .map((c) => `${c.method} ${c.path.split("/").pop()}`),
    ).toEqual(["PATCH secrets-bulk"]);

    // The env file holds what cloudflared and the gateway need.
    const env = await readEnvFile(h.envFile);
    expect(env.get("MCPBOX_SERVICE_TOKEN")).toBe(script?.secrets.get("MCPBOX_SERVICE_TOKEN"));
    expect(JSON.parse(Buffer.from(env.get("TUNNEL_TOKEN") ?? "", "base64").toString())).toMatchObject({ t: tunnel?.id, a: h.account.id });

    expect(result.mcpUrl).toBe("https://mcpbox-proxy.example.workers.dev/mcp");
    expect(result.clients.cursor.mcpServers.mcpbox?.url).toBe(result.mcpUrl);
    expect(result.clients.mcpRemote.mcpServers.mcpbox?.args).toContain(result.mcpUrl);
  });

  it("keeps ids and secrets in a 0600 state file, never the API token", async () => {
    await runSetup(h.options, h.deps);
    for (const file of [h.statePath, h.envFile]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(h.statePath, "utf8");
    expect(text).not.toContain(h.token);
    const state = JSON.parse(text);
    const [tunnel] = h.account.tunnels.values();
    expect(state.tunnel.id).toBe(tunnel?.id);
    expect(state.pending).toBeUndefined();
    expect(state.access.clientSecret).toBe([...h.account.apps.values()][0]?.clientSecret);
    expect(h.output()).not.toContain(h.token);
    expect(h.output()).not.toContain(state.access.clientSecret);
    expect(h.output()).not.toContain(state.secrets.serviceToken);
  });

  it("prints Step n of 6 for each step and the client configuration", async () => {
    await runSetup(h.options, h.deps);
    const out = h.output();
    for (let n = 1; n <= 6; n += 1) expect(out).toContain(`Step ${n} of 6`);
    expect(out).toContain("MCP URL: https://mcpbox-proxy.example.workers.dev/mcp");
    expect(out).toContain('"command": "npx"');
    expect(out).toContain(
      `Start the home side next to your MCP server: \`docker compose up -d\`, or \`npm run connect\` without Docker (both read ${h.envFile}).`,
    );
  });
});

describe("setup re-run", () => {
  it("makes zero writes on a complete setup and says nothing changed", async () => {
    await runSetup(h.options, h.deps);
    const stateBefore = await readFile(h.statePath, "utf8");
    const envBefore = await readFile(h.envFile, "utf8");
    h.fake.resetCalls();
    h.clearOutput();
    const again = await runSetup(h.options, h.deps);
    expect(again.changed).toBe(false);
    expect(h.fake.writes()).toEqual([]);
    expect(again.api.writes).toBe(0);
    expect(h.output().match(/nothing to change/g)?.length).toBe(4);
    expect(await readFile(h.statePath, "utf8")).toBe(stateBefore);
    expect(await readFile(h.envFile, "utf8")).toBe(envBefore);
  });

  it("re-uploads the Worker when the bundle changed, keeping the secrets", async () => {
    await runSetup(h.options, h.deps);
    h.fake.resetCalls();
    const changed = await runSetup(h.options, {
      ...h.deps,
      bundler: async () =>
        (await import("./helpers/harness")).fixtureBundle('export default { fetch() { return new Response("v2"); } };\n'),
    });
    expect(changed.changed).toBe(true);
    expect(h.fake.writes().map((c) => c.method)).toEqual(["PUT"]);
    const script = h.account.scripts.get("mcpbox-proxy");
    expect(script?.metadata.keep_bindings).toEqual(["secret_text"]);
    expect(script?.secrets.size).toBe(WORKER_SECRET_NAMES.length);
  });
});
