/**
 * Updating the Access for SaaS application: a PUT replaces the whole application, so setup reads
 * it, sends back everything the API returned (the client id first of all) with only its own
 * fields changed, and checks that the client id survived. Should Cloudflare issue a new one
 * anyway, the application is created again so the Worker gets credentials that work.
 */
import { afterEach, describe, expect, it } from "vitest";
import { appUpdateBody } from "../src/cloudflare/api-access";
import { runSetup } from "../src/commands/setup";
import { COMPLETE_INVENTORY, useFreshHarness, type Harness } from "./helpers/harness";
import { accessFaults, inventory } from "./helpers/fake-cloudflare";

let h: Harness;
useFreshHarness((harness) => (h = harness));
afterEach(() => {
  accessFaults.newClientIdOnUpdate = false;
});

const writes = () =>
  h.fake.writes().map((c) => `${c.method} ${c.path.replace(/^\/accounts\/[0-9a-f]{32}\//, "").replace(/[0-9a-f-]{36}/g, ":id")}`);

/** Setup, then someone changes the app in the dashboard: adds settings and breaks the redirect URI. */
async function setupThenDrift() {
  await runSetup(h.options, h.deps);
  const [app] = h.account.apps.values();
  if (!app?.saas) throw new Error("no app");
  app.settings = { allowed_idps: ["2f8c1b9e-0000-4000-8000-000000000001"], auto_redirect_to_identity: true };
  app.saas.options = { access_token_lifetime: "15m", allow_pkce_without_client_secret: true };
  app.saas.redirect_uris = ["https://elsewhere.example/callback"];
  const [policy] = app.policies.values();
  return {
    app,
    clientId: app.saas.client_id,
    policyId: policy?.id,
    secret: h.account.scripts.get("mcpbox-proxy")?.secrets.get("ACCESS_CLIENT_ID"),
  };
}

describe("Access application update", () => {
  it("keeps the client id, the settings it does not own and the policy; fixes only its own fields", async () => {
    const before = await setupThenDrift();
    h.fake.resetCalls();
    await runSetup(h.options, h.deps);
    expect(writes()).toEqual(["PUT access/apps/:id"]);
    const [app] = h.account.apps.values();
    expect(app?.saas?.client_id).toBe(before.clientId);
    expect(app?.saas?.redirect_uris).toEqual(["https://mcpbox-proxy.example.workers.dev/callback"]);
    expect(app?.settings).toEqual({ allowed_idps: ["2f8c1b9e-0000-4000-8000-000000000001"], auto_redirect_to_identity: true, tags: [] });
    // Settings we do not own stay as found; the refresh-token lifetime is ours and is set.
    expect(app?.saas?.options).toEqual({
      access_token_lifetime: "15m",
      allow_pkce_without_client_secret: true,
      refresh_token_options: { lifetime: "12h" },
    });
    expect([...(app?.policies.keys() ?? [])]).toEqual([before.policyId]);
    expect(h.account.scripts.get("mcpbox-proxy")?.secrets.get("ACCESS_CLIENT_ID")).toBe(before.secret);
    expect(h.output()).toContain("(client id unchanged)");
  });

  it("would lose the client id, the settings and the policy with a body built from the spec alone", async () => {
    const before = await setupThenDrift();
    const spec = {
      name: "mcpbox-proxy",
      redirectUris: ["https://mcpbox-proxy.example.workers.dev/callback"],
      grantTypes: ["authorization_code_with_pkce"],
      scopes: ["openid"],
    };
    const bare = appUpdateBody({ type: "saas", name: "mcpbox-proxy" }, spec);
    const response = await fetch(`${h.fake.baseUrl}/accounts/${h.account.id}/access/apps/${before.app.id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${h.token}`, "content-type": "application/json" },
      body: JSON.stringify(bare),
    });
    expect(response.status).toBe(200);
    const [app] = h.account.apps.values();
    expect(app?.saas?.client_id).not.toBe(before.clientId);
    expect(app?.settings).toEqual({});
    expect(app?.policies.size).toBe(0);
  });

  it("creates the application again when Cloudflare issues a new client id anyway", async () => {
    const before = await setupThenDrift();
    accessFaults.newClientIdOnUpdate = true;
    await runSetup(h.options, h.deps);
    expect(inventory(h.account)).toEqual(COMPLETE_INVENTORY);
    const [app] = h.account.apps.values();
    expect(app?.id).not.toBe(before.app.id);
    const secrets = h.account.scripts.get("mcpbox-proxy")?.secrets;
    expect(secrets?.get("ACCESS_CLIENT_ID")).toBe(app?.saas?.client_id);
    expect(secrets?.get("ACCESS_CLIENT_SECRET")).toBe(app?.clientSecret);
    expect(h.output()).toContain("gave the Access application a new client id while updating it");
  });
});
