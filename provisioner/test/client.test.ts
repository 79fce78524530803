/**
 * The Cloudflare client wrapper against the fake API: retries only 429/5xx (Retry-After honoured,
 * else backoff), retries dropped connections only for idempotent calls, paginates to the end, and
 * turns API errors into CloudflareApiError with a hint a person can act on.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CloudflareClient, unwrapEnvelope } from "../src/cloudflare/client";
import { CloudflareApiError } from "../src/cloudflare/errors";
import { PERMISSIONS } from "../src/cloudflare/permissions";
import { parseRetryAfter } from "../src/cloudflare/retry";
import { permissionsWithout, seed, startFakeCloudflare, type FakeAccount, type FakeCloudflare } from "./helpers/fake-cloudflare";

let fake: FakeCloudflare;
let account: FakeAccount;
let sleeps: number[];
let client: CloudflareClient;

function clientFor(token: string): CloudflareClient {
  return new CloudflareClient({
    apiToken: token,
    baseUrl: fake.baseUrl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    now: () => Date.parse("2026-11-26T12:00:00Z"),
  });
}

beforeEach(async () => {
  fake = await startFakeCloudflare();
  account = fake.addAccount("Example");
  sleeps = [];
  client = clientFor(fake.addToken({ accounts: [account] }));
});
afterEach(async () => {
  expect(fake.internalErrors).toEqual([]);
  await fake.close();
});

describe("retries", () => {
  it("waits as long as Retry-After says after a 429, then succeeds", async () => {
    fake.injectFault({ kind: "status", status: 429, retryAfter: "3", path: /storage\/kv\/namespaces$/ });
    expect(await client.storage.listKvNamespaces(account.id)).toEqual([]);
    expect(sleeps).toEqual([3000]);
    expect(fake.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it("reads an HTTP-date Retry-After", () => {
    expect(parseRetryAfter("Thu, 26 Nov 2026 12:00:05 GMT", Date.parse("2026-11-26T12:00:00Z"))).toBe(5000);
  });

  it("backs off exponentially on 5xx and gives up with a hint after five attempts", async () => {
    fake.injectFault({ kind: "status", status: 500, path: /workers\/scripts$/, times: 10 });
    const error = await client.workers.listScripts(account.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as CloudflareApiError).status).toBe(500);
    expect((error as CloudflareApiError).hint).toMatch(/server error.*again/);
    expect(sleeps).toEqual([500, 1000, 2000, 4000]);
    expect(fake.calls).toHaveLength(5);
  });

  it("does not retry a 4xx", async () => {
    seed.kv(account, "taken");
    await expect(client.storage.createKvNamespace(account.id, "taken")).rejects.toMatchObject({ status: 400, errors: [{ code: 10014 }] });
    expect(fake.calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("retries an idempotent call whose connection dropped (fault at call N)", async () => {
    await client.tunnels.listTunnels(account.id, "x");
    fake.injectFault({ kind: "drop-before", atCall: 2 });
    expect(await client.tunnels.listTunnels(account.id, "x")).toEqual([]);
    expect(fake.calls.map((c) => c.status)).toEqual([200, "dropped", 200]);
  });

  it("does not repeat a create whose connection dropped (it may have happened)", async () => {
    fake.injectFault({ kind: "drop-after", method: "POST", path: /storage\/kv\/namespaces$/ });
    const error = await client.storage.createKvNamespace(account.id, "grants").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as CloudflareApiError).status).toBeUndefined();
    expect((error as CloudflareApiError).hint).toMatch(/Could not reach the Cloudflare API/);
    expect(fake.writes()).toHaveLength(1);
    expect([...account.kv.values()].map((n) => n.title)).toEqual(["grants"]);
  });
});

describe("the fake behaves like the API", () => {
  it("refuses a second live tunnel of the same name with code 1013", async () => {
    await client.tunnels.createTunnel(account.id, "t");
    await expect(client.tunnels.createTunnel(account.id, "t")).rejects.toMatchObject({ status: 409, errors: [{ code: 1013 }] });
  });

  it("returns an Access app's client_secret only when creating it", async () => {
    const created = await client.access.createApp(account.id, {
      name: "a",
      redirectUris: ["https://a.example/callback"],
      grantTypes: ["authorization_code_with_pkce"],
      scopes: ["openid"],
    });
    expect(created.clientSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await client.access.getApp(account.id, created.id))?.clientSecret).toBeUndefined();
    expect((await client.access.listApps(account.id))[0]?.clientSecret).toBeUndefined();
    expect((await client.access.getApp(account.id, created.id))?.clientId).toBe(created.clientId);
  });

  it("answers 404 for what does not exist", async () => {
    expect(await client.tunnels.getTunnel(account.id, "6b0f4d4e-8e4c-4d2a-9a57-1c7e0f0d9b11")).toBeUndefined();
    expect(await client.storage.getKvNamespace(account.id, "0".repeat(32))).toBeUndefined();
  });

  it("refuses an account the token cannot use with 10000", async () => {
    const other = fake.addAccount("Other");
    await expect(client.storage.listKvNamespaces(other.id)).rejects.toMatchObject({ status: 403, errors: [{ code: 10000 }] });
  });
});

describe("pagination", () => {
  it("follows pages until a short page", async () => {
    for (let i = 0; i < 120; i += 1) seed.kv(account, `ns-${i}`);
    const all = await client.storage.listKvNamespaces(account.id);
    expect(all).toHaveLength(120);
    expect(new Set(all.map((n) => n.id)).size).toBe(120);
    expect(fake.calls.map((c) => new URLSearchParams(c.query).get("page"))).toEqual(["1", "2", "3"]);
  });

  it("stops at the empty page past the end when the last page is full", async () => {
    for (let i = 0; i < 100; i += 1) seed.kv(account, `ns-${i}`);
    expect(await client.storage.listKvNamespaces(account.id)).toHaveLength(100);
    expect(fake.calls).toHaveLength(2);
  });
});

describe("errors", () => {
  it("names the missing permission for code 10000", async () => {
    const limited = clientFor(fake.addToken({ accounts: [account], permissions: permissionsWithout("Workers KV Storage") }));
    const error = (await limited.storage.listKvNamespaces(account.id).catch((e: unknown) => e)) as CloudflareApiError;
    expect(error.hasCode(10000)).toBe(true);
    expect(error.hint).toContain(PERMISSIONS.workersKv);
    expect(error.message).toContain("Could not list KV namespaces");
  });

  it("explains a missing workers.dev subdomain for code 10007", async () => {
    const bare = fake.addAccount("Bare", { workersSubdomain: null });
    const c = clientFor(fake.addToken({ accounts: [bare] }));
    const error = (await c.workers.getAccountSubdomain(bare.id).catch((e: unknown) => e)) as CloudflareApiError;
    expect(error.hasCode(10007)).toBe(true);
    expect(error.hint).toMatch(/no workers\.dev subdomain yet/);
  });

  it("treats a 2xx envelope with success: false as a failure", () => {
    expect(() =>
      unwrapEnvelope({ label: "do it", method: "GET" }, { success: false, errors: [{ code: 42, message: "nope" }], result: null }),
    ).toThrow(/Could not do it: nope \[code 42\]/);
    expect(() => unwrapEnvelope({ label: "do it", method: "GET" }, "<html>")).toThrow(CloudflareApiError);
  });

  it("never puts the API token in an error", async () => {
    const bogus = clientFor("not-a-real-token-0123456789");
    const error = (await bogus.tokens.verifyUserToken().catch((e: unknown) => e)) as CloudflareApiError;
    expect(error.status).toBe(401);
    expect(`${error.message} ${error.hint}`).not.toContain("not-a-real-token");
    expect(error.hint).toMatch(/not valid/);
  });

  it("counts requests and writes", async () => {
    await client.storage.createKvNamespace(account.id, "a");
    await client.storage.listKvNamespaces(account.id);
    expect(client.stats).toEqual({ requests: 2, writes: 1 });
  });
});
