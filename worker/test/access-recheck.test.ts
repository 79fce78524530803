/**
 * Access that ends when it should: a refresh at our token endpoint re-checks the user at Cloudflare
 * Access (a real oidc-provider issuing refresh tokens as an Access app does) once
 * ACCESS_RECHECK_SECONDS have passed. Removed users and ended sessions get invalid_grant and lose
 * the grant; the happy path rotates tokens on both sides; an outage keeps the grant.
 */
import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { accessEnv, grantsOf, operator, refreshAt, watchAccess, workerAt } from "./helpers/workerd/access-recheck";
import { harness, login, mcpPost, mcpUrl, newProbe, standinRecords, uniqueEmail } from "./helpers/workerd/worker-harness";

const HOUR = 3600;
/**
 * "Not yet due" is checked a minute before the hour: the clock is read in whole seconds and the
 * sign-in and the refresh run real seconds apart on a busy machine, so one second early can already be due.
 */
const NOT_YET_DUE = HOUR - 60;

afterEach(() => {
  vi.restoreAllMocks();
});

/** The `access_recheck_passed` log lines so far. */
function recheckLog(log: MockInstance<typeof console.log>): Array<Record<string, unknown>> {
  return log.mock.calls
    .map((call) => String(call[0]))
    .filter((line) => line.includes('"access_recheck_passed"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("the happy path (Access rotates its refresh token and sends a new id_token)", () => {
  it("re-checks at Access when due, issues rotated tokens that work, and presents Access's rotated token next time", async () => {
    const email = uniqueEmail("happy");
    const flow = await login({ email });
    const access = watchAccess(harness().idp.tokenUrl);
    const log = vi.spyOn(console, "log");

    const first = await refreshAt(workerAt(HOUR), flow, flow.tokens.refresh_token ?? "");
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(flow.tokens.refresh_token);
    expect(access.accessRefreshes()).toBe(1);
    expect(recheckLog(log)).toEqual([expect.objectContaining({ id_token: true, refresh_token_rotated: true })]);

    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(probe), String(first.body.access_token)))).status).toBe(200);
    expect((await standinRecords(probe))[0]?.headers["x-mcpbox-user-email"]).toBe(email);

    // The IdP retires a used refresh token and ends the grant when it is presented again, so this
    // second re-check passes only if the Worker kept the rotated one.
    const second = await refreshAt(workerAt(2 * HOUR), flow, String(first.body.refresh_token));
    expect(second.status).toBe(200);
    expect(access.accessRefreshes()).toBe(2);
    expect(await grantsOf(email)).toHaveLength(1);
  });
});

describe("not yet due", () => {
  it("makes no call to Access within ACCESS_RECHECK_SECONDS (3600 by default), even for a user removed there since", async () => {
    const email = uniqueEmail("notdue");
    const flow = await login({ email });
    const access = watchAccess(harness().idp.tokenUrl);
    await operator("remove-account", "main", email);

    const early = await refreshAt(workerAt(NOT_YET_DUE), flow, flow.tokens.refresh_token ?? "");
    expect(early.status).toBe(200);
    expect(access.accessRefreshes()).toBe(0);

    const due = await refreshAt(workerAt(HOUR), flow, String(early.body.refresh_token));
    expect(due.status).toBe(400);
    expect(due.body.error).toBe("invalid_grant");
    expect(access.accessRefreshes()).toBe(1);
  });
});

describe("when Access refuses", () => {
  it.each([
    ["the user was removed from the Access policy", "remove-account"],
    ["the user's Access sessions were revoked", "end-sessions"],
  ] as const)("%s: invalid_grant, the grant and its tokens are gone", async (_case, action) => {
    const email = uniqueEmail("refused");
    const flow = await login({ email });
    expect(await grantsOf(email)).toHaveLength(1);
    await operator(action, "main", email);

    const refused = await refreshAt(workerAt(HOUR), flow, flow.tokens.refresh_token ?? "");
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_grant");
    expect(String(refused.body.error_description)).toContain("Sign in again");
    expect(await grantsOf(email)).toEqual([]);
    expect((await SELF.fetch(mcpPost(mcpUrl(newProbe()), flow.tokens.access_token))).status).toBe(401);
    const again = await refreshAt(workerAt(0), flow, flow.tokens.refresh_token ?? "");
    expect(again.body.error).toBe("invalid_grant");
  });
});

describe("an Access app that neither rotates refresh tokens nor sends id_tokens on refresh", () => {
  it("re-checks with the same refresh token each time, and still notices a removal", async () => {
    const plain = harness().plainIdp;
    const email = uniqueEmail("plain");
    const flow = await login({ email, network: workerAt(0, accessEnv(plain)) });
    const access = watchAccess(plain.tokenUrl);
    const log = vi.spyOn(console, "log");

    const first = await refreshAt(workerAt(HOUR, accessEnv(plain)), flow, flow.tokens.refresh_token ?? "");
    expect(first.status).toBe(200);
    const second = await refreshAt(workerAt(2 * HOUR, accessEnv(plain)), flow, String(first.body.refresh_token));
    expect(second.status).toBe(200);
    expect(access.accessRefreshes()).toBe(2);
    expect(recheckLog(log)).toEqual([
      expect.objectContaining({ id_token: false, refresh_token_rotated: false }),
      expect.objectContaining({ id_token: false, refresh_token_rotated: false }),
    ]);

    await operator("remove-account", "plain", email);
    const refused = await refreshAt(workerAt(3 * HOUR, accessEnv(plain)), flow, String(second.body.refresh_token));
    expect(refused.body.error).toBe("invalid_grant");
    expect(await grantsOf(email)).toEqual([]);
  });
});

describe("an Access app with refresh tokens off", () => {
  it("signs in (with a warning in the log), refreshes until the re-check is due, then asks for a new sign-in", async () => {
    const off = harness().noRefreshIdp;
    const email = uniqueEmail("norefresh");
    const warn = vi.spyOn(console, "warn");
    const flow = await login({ email, network: workerAt(0, accessEnv(off)) });
    expect(warn.mock.calls.map((call) => String(call[0])).join("\n")).toContain("access_refresh_token_missing");

    const early = await refreshAt(workerAt(NOT_YET_DUE, accessEnv(off)), flow, flow.tokens.refresh_token ?? "");
    expect(early.status).toBe(200);
    const due = await refreshAt(workerAt(HOUR, accessEnv(off)), flow, String(early.body.refresh_token));
    expect(due.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("no way to re-check") });
    expect(await grantsOf(email)).toEqual([]);
  });
});

describe("when Access cannot answer", () => {
  it.each([
    ["Access is unreachable", (): Record<string, string> => ({ ACCESS_TOKEN_URL: harness().unreachableUrl })],
    ["Access rejects this Worker's client secret (invalid_client)", (): Record<string, string> => ({ ACCESS_CLIENT_SECRET: "not-the-secret" })],
  ])("%s: 503 temporarily_unavailable with Retry-After, nothing issued, the grant kept", async (_case, settings) => {
    const email = uniqueEmail("outage");
    const flow = await login({ email });
    const outage = await refreshAt(workerAt(HOUR, settings()), flow, flow.tokens.refresh_token ?? "");
    expect(outage.status).toBe(503);
    expect(outage.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(outage.body).toMatchObject({ error: "temporarily_unavailable" });
    expect(outage.body).not.toHaveProperty("access_token");
    expect(await grantsOf(email)).toHaveLength(1);

    const later = await refreshAt(workerAt(HOUR), flow, flow.tokens.refresh_token ?? "");
    expect(later.status).toBe(200);
  });
});
