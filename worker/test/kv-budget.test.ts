/**
 * KV operations per step of a client's life, measured on the real OAuth library in workerd with a
 * counting KV: registration, consent page, consent approval, login (callback), code exchange,
 * refresh, an /mcp call, and a second sign-in of the same client. The figures are the table in
 * docs/benchmarks.md; the assertions keep them from growing unnoticed (Cloudflare's free plan
 * allows 1,000 KV writes, 1,000 deletes and 1,000 lists a day).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consentFormFields, exchangeCode, finishAtCallback, loginAtDevIdp, postForm, prepareAuthorization, redirectTarget, submitConsent, type FlowNetwork } from "@mcpbox/dev/test-kit";
import { CountingKv, type KvCounts } from "./helpers/workerd/counting-kv";
import { ORIGIN, callWorker, envWith, fromAddress, mcpPost, mcpUrl, nextClientAddress, uniqueEmail } from "./helpers/workerd/worker-harness";

describe("KV operations per step", () => {
  it("matches the budget table", async () => {
    const kv = new CountingKv(env.OAUTH_KV);
    const testEnv = envWith({ OAUTH_KV: kv.binding() });
    const network: FlowNetwork = { workerOrigin: ORIGIN, worker: (request) => callWorker(fromAddress(request, nextClientAddress()), testEnv) };
    const steps: Record<string, KvCounts> = {};
    const measure = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      kv.reset();
      const result = await work();
      steps[name] = kv.snapshot();
      return result;
    };

    const prepared = await measure("registration", () => prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp` }));
    const page = await measure("consent page (GET /authorize)", () => prepared.browser.open(prepared.authorizeUrl));
    const form = consentFormFields(await page.text());
    const approved = await measure("consent approval (POST /authorize)", () => submitConsent(prepared.browser, prepared.authorizeUrl, form, "approve"));
    const callback = await loginAtDevIdp(prepared.browser, redirectTarget(approved, prepared.authorizeUrl).href, uniqueEmail("budget"));
    const { code } = await measure("login (GET /callback)", () => finishAtCallback(prepared, callback));
    const exchanged = await measure("code exchange", () => exchangeCode(network, prepared, code));
    const refreshed = await measure("refresh", () =>
      postForm(network, `${ORIGIN}/token`, { grant_type: "refresh_token", refresh_token: String(exchanged.body.refresh_token), client_id: prepared.client.client_id }),
    );
    expect(refreshed.status).toBe(200);
    const call = await measure("/mcp call", () => network.worker(mcpPost(mcpUrl("budget"), String(refreshed.body.access_token))));
    expect(call.status).toBe(200);

    // The same client signs in again from the same browser (remembered approval): the old grant goes at the exchange.
    const again = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, client: prepared.client, browser: prepared.browser });
    const second = await measure("second sign-in (remembered approval, callback)", async () => {
      const toIdp = await again.browser.open(again.authorizeUrl);
      const back = await loginAtDevIdp(again.browser, redirectTarget(toIdp, again.authorizeUrl).href, uniqueEmail("budget-again"));
      return finishAtCallback(again, back);
    });
    await measure("second code exchange (revokes the older grant)", () => exchangeCode(network, again, second.code));

    console.log(`KV_BUDGET ${JSON.stringify(steps)}`);
    expect(steps).toEqual({
      registration: { reads: 0, writes: 1, deletes: 0, lists: 0 },
      "consent page (GET /authorize)": { reads: 2, writes: 0, deletes: 0, lists: 0 },
      "consent approval (POST /authorize)": { reads: 0, writes: 1, deletes: 0, lists: 0 },
      "login (GET /callback)": { reads: 2, writes: 1, deletes: 1, lists: 0 },
      "code exchange": { reads: 3, writes: 2, deletes: 0, lists: 1 },
      refresh: { reads: 4, writes: 3, deletes: 0, lists: 0 },
      "/mcp call": { reads: 1, writes: 0, deletes: 0, lists: 0 },
      "second sign-in (remembered approval, callback)": { reads: 3, writes: 2, deletes: 1, lists: 0 },
      "second code exchange (revokes the older grant)": { reads: 4, writes: 2, deletes: 3, lists: 2 },
    });
  });
});
