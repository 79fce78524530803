/**
 * Refresh tokens on the Access app, against the fake Cloudflare API: a fresh setup turns them on
 * with a lifetime below Access's session duration; an install from before gets exactly one app
 * update (same client id, so no secret changes); Access echoing offline_access changes nothing;
 * and the fake refuses a malformed lifetime as the API documents it.
 */
import { describe, expect, it } from "vitest";
import { ACCESS_REFRESH_TOKEN_LIFETIME } from "@mcpbox/shared";
import { runSetup } from "../src/commands/setup";
import { useFreshHarness, type Harness } from "./helpers/harness";

let h: Harness;
useFreshHarness((harness) => (h = harness));

const writes = () =>
  h.fake.writes().map((c) => `${c.method} ${c.path.replace(/^\/accounts\/[0-9a-f]{32}\//, "").replace(/[0-9a-f-]{36}/g, ":id")}`);
const theApp = () => [...h.account.apps.values()][0];

/** Hours in a duration such as `12h` or `1440m` or `1d`. */
function hours(duration: string): number {
  const match = /^(\d+)([mhd])$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * ({ m: 1 / 60, h: 1, d: 24 }[match[2] as "m" | "h" | "d"] ?? Number.NaN);
}

describe("refresh tokens on the Access for SaaS app", () => {
  it("are turned on by setup, with a lifetime below the organization's session duration", async () => {
    await runSetup(h.options, h.deps);
    const app = theApp();
    expect(app?.saas?.grant_types).toContain("refresh_tokens");
    expect(app?.saas?.grant_types).toContain("authorization_code_with_pkce");
    expect(app?.saas?.options.refresh_token_options).toEqual({ lifetime: ACCESS_REFRESH_TOKEN_LIFETIME });
    const org = (await (
      await fetch(`${h.fake.baseUrl}/accounts/${h.account.id}/access/organizations`, { headers: { Authorization: `Bearer ${h.token}` } })
    ).json()) as {
      result: { session_duration: string };
    };
    expect(hours(ACCESS_REFRESH_TOKEN_LIFETIME)).toBeLessThan(hours(org.result.session_duration));
  });

  it("are added to an app made before them with one update that keeps the client id and the secrets", async () => {
    await runSetup(h.options, h.deps);
    const app = theApp();
    if (!app?.saas) throw new Error("no app");
    const clientId = app.saas.client_id;
    app.saas.grant_types = ["authorization_code_with_pkce"];
    delete app.saas.options.refresh_token_options;
    h.fake.resetCalls();

    const rerun = await runSetup(h.options, h.deps);
    expect(rerun.changed).toBe(true);
    expect(writes()).toEqual(["PUT access/apps/:id"]);
    expect(theApp()?.saas).toMatchObject({
      client_id: clientId,
      grant_types: ["authorization_code_with_pkce", "refresh_tokens"],
      options: { refresh_token_options: { lifetime: "12h" } },
    });
    expect(h.output()).toContain("updated the Access application");

    h.fake.resetCalls();
    expect((await runSetup(h.options, h.deps)).changed).toBe(false);
    expect(writes()).toEqual([]);
  });

  it("an app whose scopes Access reports with offline_access (turned on with refresh tokens) is left alone", async () => {
    await runSetup(h.options, h.deps);
    theApp()?.saas?.scopes.push("offline_access");
    h.fake.resetCalls();
    expect((await runSetup(h.options, h.deps)).changed).toBe(false);
    expect(writes()).toEqual([]);
  });
});

describe("the fake API", () => {
  it.each(["1m", "12", "12x", "-1h", "twelve hours"])(
    "refuses refresh_token_options.lifetime %j as Cloudflare documents it",
    async (lifetime) => {
      const response = await fetch(`${h.fake.baseUrl}/accounts/${h.account.id}/access/apps`, {
        method: "POST",
        headers: { Authorization: `Bearer ${h.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          type: "saas",
          name: "probe",
          saas_app: {
            auth_type: "oidc",
            redirect_uris: ["https://a.example/callback"],
            grant_types: ["refresh_tokens"],
            scopes: ["openid"],
            refresh_token_options: { lifetime },
          },
        }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { success: boolean }).success).toBe(false);
    },
  );
});
