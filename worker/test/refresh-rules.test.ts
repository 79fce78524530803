/**
 * The rules every refresh passes besides the Access re-check: ALLOWED_EMAILS as configured now
 * (checked on every refresh, without asking Access), the refresh-token lifetime, idle lifetime and
 * maximum grant age settings, and a refreshed id_token verified as at login.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ForgeMode } from "./helpers/harness-info";
import { grantRecord, grantsOf, refreshAt, watchAccess, workerAt } from "./helpers/workerd/access-recheck";
import { harness, login, uniqueEmail } from "./helpers/workerd/worker-harness";

const DAY = 86_400;

afterEach(() => {
  vi.restoreAllMocks();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("ALLOWED_EMAILS on every refresh", () => {
  it("refuses a user the list no longer names, revokes the grant, and does not need Access to say so", async () => {
    const email = uniqueEmail("listed");
    const flow = await login({ email, network: workerAt(0, { ALLOWED_EMAILS: email }) });
    const access = watchAccess(harness().idp.tokenUrl);

    const refused = await refreshAt(workerAt(0, { ALLOWED_EMAILS: "someone-else@mcpbox.test" }), flow, flow.tokens.refresh_token ?? "");
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("no longer allowed") });
    expect(access.accessRefreshes()).toBe(0);
    expect(await grantsOf(email)).toEqual([]);
  });

  it("lets a user the list still names refresh (exact address or *@domain)", async () => {
    const email = uniqueEmail("kept");
    const flow = await login({ email, network: workerAt(0, { ALLOWED_EMAILS: email }) });
    const first = await refreshAt(workerAt(0, { ALLOWED_EMAILS: email.toUpperCase() }), flow, flow.tokens.refresh_token ?? "");
    expect(first.status).toBe(200);
    const second = await refreshAt(workerAt(0, { ALLOWED_EMAILS: "*@mcpbox.test" }), flow, String(first.body.refresh_token));
    expect(second.status).toBe(200);
  });
});

describe("lifetimes", () => {
  it("REFRESH_TOKEN_TTL_SECONDS sets how long the first refresh token lives", async () => {
    const email = uniqueEmail("ttl");
    const before = nowSeconds();
    await login({ email, network: workerAt(0, { REFRESH_TOKEN_TTL_SECONDS: "7200" }) });
    const after = nowSeconds();
    const [key] = await grantsOf(email);
    const { expiresAt } = await grantRecord(key ?? "");
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7200);
    expect(expiresAt).toBeLessThanOrEqual(after + 7200);
  });

  it("REFRESH_TOKEN_IDLE_SECONDS sets how long the grant lives after each refresh", async () => {
    const email = uniqueEmail("idle");
    const flow = await login({ email });
    const before = nowSeconds();
    const refreshed = await refreshAt(workerAt(0, { REFRESH_TOKEN_IDLE_SECONDS: "5400" }), flow, flow.tokens.refresh_token ?? "");
    const after = nowSeconds();
    expect(refreshed.status).toBe(200);
    const { expiresAt } = await grantRecord((await grantsOf(email))[0] ?? "");
    expect(expiresAt).toBeGreaterThanOrEqual(before + 5400);
    expect(expiresAt).toBeLessThanOrEqual(after + 5400);
  });

  it("GRANT_MAX_AGE_SECONDS alone caps every lifetime at the Access sign-in plus the maximum age", async () => {
    const email = uniqueEmail("maxage");
    // The refresh lifetimes stay at wrangler.toml's 7 days.
    const settings = { GRANT_MAX_AGE_SECONDS: "900" };
    const before = nowSeconds();
    const flow = await login({ email, network: workerAt(0, settings) });
    const after = nowSeconds();
    const key = (await grantsOf(email))[0] ?? "";
    expect((await grantRecord(key)).expiresAt).toBeLessThanOrEqual(after + 900);
    const refreshed = await refreshAt(workerAt(0, settings), flow, flow.tokens.refresh_token ?? "");
    expect(refreshed.status).toBe(200);
    // The idle lifetime (7 days) would reach far past it; the grant still ends on time.
    const { expiresAt } = await grantRecord(key);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 900 - 1);
    expect(expiresAt).toBeLessThanOrEqual(after + 900 + 1);
  });

  it("refuses a refresh once the grant has reached its maximum age (30 days by default) and revokes it", async () => {
    const email = uniqueEmail("old");
    const flow = await login({ email });
    const refused = await refreshAt(workerAt(30 * DAY), flow, flow.tokens.refresh_token ?? "");
    expect(refused.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("longest time") });
    expect(await grantsOf(email)).toEqual([]);
  });
});

describe("a refreshed id_token is verified as at login (ACCESS_RECHECK_SECONDS=0: every refresh asks Access)", () => {
  const refusals: ForgeMode[] = ["alg-none", "hs256-public-key", "unknown-kid", "wrong-signature", "wrong-iss", "wrong-aud", "wrong-nonce", "expired", "nbf-future", "iat-future", "other-subject", "other-email"];

  it.each(refusals)("%s: invalid_grant and the grant is revoked", async (mode) => {
    const email = uniqueEmail(mode);
    const flow = await login({ email });
    const warn = vi.spyOn(console, "warn");
    const forging = workerAt(0, { ACCESS_RECHECK_SECONDS: "0", ACCESS_TOKEN_URL: `${harness().harnessUrl}/forge/${mode}` });
    const refused = await refreshAt(forging, flow, flow.tokens.refresh_token ?? "");
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_grant");
    const reason = mode.startsWith("other-") ? "access_identity_changed" : "access_id_token_invalid";
    expect(warn.mock.calls.map((call) => String(call[0])).join("\n")).toContain(`"reason":"${reason}"`);
    expect(await grantsOf(email)).toEqual([]);
  });

  it("accepts a genuine one without a nonce (OIDC Core §12.2 lets a refreshed id_token omit it)", async () => {
    const flow = await login();
    const forging = workerAt(0, { ACCESS_RECHECK_SECONDS: "0", ACCESS_TOKEN_URL: `${harness().harnessUrl}/forge/missing-nonce` });
    expect((await refreshAt(forging, flow, flow.tokens.refresh_token ?? "")).status).toBe(200);
  });
});
