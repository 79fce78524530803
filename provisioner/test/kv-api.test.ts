/**
 * The KV keys API against the fake: every key across cursor pages (in byte order, with expiration
 * and metadata), expired keys gone, bulk reads of 100 and bulk deletes of 10 000 at a time, keys
 * the API could not delete returned for a retry, and the 404 of a namespace that does not exist.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KvApi } from "../src/cloudflare/api-kv";
import { CloudflareClient } from "../src/cloudflare/client";
import { CloudflareApiError } from "../src/cloudflare/errors";
import { getAllValues, listAllKeys } from "../src/grants/kv-store";
import { cloudflareKvStore } from "../src/grants/store-cloudflare";
import { permissionsWithout, seed } from "./helpers/fake-cloudflare";
import { kvData, type FakeKvData } from "./helpers/fake-cloudflare/routes-kv-keys";
import { createHarness, type Harness } from "./helpers/harness";

let h: Harness;
let namespaceId: string;
let data: FakeKvData;
const now = () => Math.floor(Date.now() / 1000);

beforeEach(async () => {
  h = await createHarness();
  namespaceId = seed.kv(h.account, "mcpbox-proxy-OAUTH_KV");
  data = kvData(h.account, namespaceId);
});
afterEach(async () => {
  expect(h.fake.internalErrors).toEqual([]);
  await h.close();
});

const client = (apiToken = h.token) => new CloudflareClient({ apiToken, baseUrl: h.fake.baseUrl, sleep: async () => {} });
const store = () => cloudflareKvStore(client(), h.account.id, namespaceId);
const listCalls = () => h.fake.calls.filter((c) => c.path.endsWith("/keys"));

describe("KV keys through the API", () => {
  it("lists every key with the prefix across cursor pages, in byte order, with expiration and metadata", async () => {
    const names = Array.from({ length: 2345 }, (_, i) => `grant:user-${String(i).padStart(4, "0")}:g${i}`);
    for (const name of names) data.entries.set(name, { value: "{}", expiration: now() + 600, metadata: { clientId: "c1" } });
    data.entries.set("token:x:y:z", { value: "{}" });
    data.entries.set("grant:ä-later-in-bytes:g", { value: "{}" });
    const keys = await listAllKeys(store(), "grant:");
    expect(keys.map((k) => k.name)).toEqual([...names, "grant:ä-later-in-bytes:g"]);
    expect(keys[0]).toEqual({ name: names[0], expiration: expect.any(Number), metadata: { clientId: "c1" } });
    expect(keys.at(-1)).toEqual({ name: "grant:ä-later-in-bytes:g" });
    const calls = listCalls();
    expect(calls).toHaveLength(3);
    expect(calls[0]?.query).not.toContain("cursor=");
    expect(calls[1]?.query).toContain("cursor=");
    expect(calls.every((c) => c.query.includes("limit=1000") && c.query.includes("prefix=grant%3A"))).toBe(true);
  });

  it("does not list expired keys", async () => {
    data.entries.set("grant:u:live", { value: "{}", expiration: now() + 60 });
    data.entries.set("grant:u:gone", { value: "{}", expiration: now() - 1 });
    expect((await listAllKeys(store(), "grant:")).map((k) => k.name)).toEqual(["grant:u:live"]);
  });

  it("reads values 100 at a time, a missing key as null, and names with % or : as they are", async () => {
    const names = Array.from({ length: 150 }, (_, i) => `client:id%2F${i}:x`);
    for (const name of names.slice(0, 149)) data.entries.set(name, { value: `v-${name}` });
    const values = await getAllValues(store(), names);
    expect(values.get(names[0] ?? "")).toBe(`v-${names[0]}`);
    expect(values.get(names[149] ?? "")).toBeNull();
    expect(h.fake.calls.filter((c) => c.path.endsWith("/bulk/get"))).toHaveLength(2);
  });

  it("deletes 10 000 keys per call and returns the keys it could not delete", async () => {
    const names = Array.from({ length: 12_000 }, (_, i) => `token:u:g:${i}`);
    for (const name of names) data.entries.set(name, { value: "{}" });
    data.undeletable.add("token:u:g:7");
    const left = await store().deleteKeys([...names, "token:never:existed:0"]);
    expect(left).toEqual(["token:u:g:7"]);
    expect([...data.entries.keys()]).toEqual(["token:u:g:7"]);
    expect(h.fake.calls.filter((c) => c.path.endsWith("/bulk/delete"))).toHaveLength(2);
  });

  it("answers 404 (code 10013) for a namespace that does not exist", async () => {
    const error = await new KvApi(client()).listKeys(h.account.id, "0".repeat(32), "grant:").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as CloudflareApiError).isNotFound).toBe(true);
    expect((error as CloudflareApiError).hasCode(10013)).toBe(true);
  });

  it("needs Workers KV Storage: reading with read, deleting with edit", async () => {
    const readOnly = new Map([...permissionsWithout("Workers KV Storage"), ["Workers KV Storage", "read"]] as const);
    const kv = new KvApi(client(h.fake.addToken({ accounts: [h.account], permissions: new Map(readOnly) })));
    await expect(kv.listKeys(h.account.id, namespaceId, "grant:")).resolves.toEqual({ keys: [], cursor: undefined });
    const error = await kv.deleteKeys(h.account.id, namespaceId, ["grant:u:g"]).catch((e: unknown) => e);
    expect((error as CloudflareApiError).hint).toContain("Workers KV Storage");
  });

  it("the fake refuses what the API refuses: a limit outside 10-1000, a cursor it did not issue", async () => {
    const get = (query: string) =>
      fetch(`${h.fake.baseUrl}/accounts/${h.account.id}/storage/kv/namespaces/${namespaceId}/keys?${query}`, {
        headers: { Authorization: `Bearer ${h.token}` },
      });
    expect((await get("limit=5")).status).toBe(400);
    expect((await get("limit=1001")).status).toBe(400);
    expect((await get("cursor=not-a-cursor")).status).toBe(400);
    const done = (await (await get("limit=10")).json()) as { result_info: { cursor: string; count: number } };
    expect(done.result_info).toEqual({ count: 0, cursor: "" });
  });
});
