/**
 * Fake Workers KV key and value endpoints, shaped like the real API: keys listed in UTF-8 byte
 * order with `prefix`, `limit` (10-1000, default 1000) and an opaque cursor (`result_info.cursor`,
 * empty on the last page), each with its `expiration` and `metadata` when it has them; expired
 * keys invisible; values read 100 at a time (missing keys map to null); deletes one at a time or
 * 10 000 at a time, missing keys counting as deleted, with the keys it could not delete listed for
 * a retry; bulk writes; a namespace that does not exist is a 404 with code 10013 everywhere.
 * (The single-value GET answers raw bytes, not an envelope, so this envelope-only fake leaves it out.)
 */
import { fail, type HandlerResult } from "./envelope";
import type { FakeAccount } from "./model";
import { path, type FakeRequest, type Route } from "./route";

const KV = ["Workers KV Storage"] as const;

export interface FakeKvEntry {
  value: string;
  /** Seconds since the epoch. */
  expiration?: number;
  metadata?: unknown;
}

export interface FakeKvData {
  entries: Map<string, FakeKvEntry>;
  /** Key names bulk delete reports as unsuccessful (as the API does for keys to retry). */
  undeletable: Set<string>;
  /** Runs after each bulk delete (a test's stand-in for a Worker writing at the same time). */
  afterBulkDelete?: () => void;
}

/** Each namespace's data, by the namespace record `account.kv` holds (gone with it). */
const namespaces = new WeakMap<object, FakeKvData>();

/** A namespace's data, for seeding and inspection; throws when the namespace does not exist. */
export function kvData(account: FakeAccount, namespaceId: string): FakeKvData {
  const namespace = account.kv.get(namespaceId);
  if (!namespace) throw new Error(`no KV namespace ${namespaceId}`);
  let data = namespaces.get(namespace);
  if (!data) {
    data = { entries: new Map(), undeletable: new Set() };
    namespaces.set(namespace, data);
  }
  return data;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function liveData(req: FakeRequest): FakeKvData {
  const id = req.params.id ?? "";
  if (!req.account.kv.has(id)) fail(404, 10013, "namespace not found");
  const data = kvData(req.account, id);
  for (const [name, entry] of data.entries)
    if (entry.expiration !== undefined && entry.expiration <= nowSeconds()) data.entries.delete(name);
  return data;
}

const liveStore = (req: FakeRequest): Map<string, FakeKvEntry> => liveData(req).entries;

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function jsonBody(req: FakeRequest): unknown {
  try {
    return JSON.parse(req.body.toString("utf8"));
  } catch {
    return fail(400, 10026, "could not parse the request body as JSON");
  }
}

function stringArray(value: unknown, max: number): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return fail(400, 10026, "expected a JSON array of key names");
  if (value.length > max) fail(400, 10026, `at most ${max} keys per request`);
  return value as string[];
}

function listKeys(req: FakeRequest): HandlerResult {
  const store = liveStore(req);
  const prefix = req.query.get("prefix") ?? "";
  const limitText = req.query.get("limit");
  const limit = limitText === null ? 1000 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 10 || limit > 1000) fail(400, 10026, "limit must be an integer between 10 and 1000");
  const cursor = req.query.get("cursor");
  let after: string | undefined;
  if (cursor) {
    try {
      const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      if (typeof decoded !== "object" || decoded === null || typeof (decoded as { after?: unknown }).after !== "string")
        throw new Error("cursor shape");
      after = (decoded as { after: string }).after;
    } catch {
      fail(400, 10026, "invalid cursor");
    }
  }
  const names = [...store.keys()].filter((n) => n.startsWith(prefix) && (after === undefined || byteOrder(n, after) > 0)).sort(byteOrder);
  const page = names.slice(0, limit);
  const more = names.length > page.length;
  const last = page.at(-1);
  const result = page.map((name) => {
    const entry = store.get(name) as FakeKvEntry;
    return {
      name,
      ...(entry.expiration !== undefined ? { expiration: entry.expiration } : {}),
      ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}),
    };
  });
  const next = more && last !== undefined ? Buffer.from(JSON.stringify({ after: last })).toString("base64url") : "";
  return { result, resultInfo: { count: result.length, cursor: next } };
}

export const kvKeyRoutes: Route[] = [
  { method: "GET", pattern: path("/accounts/:a/storage/kv/namespaces/:id/keys"), permission: [KV, "read"], handle: listKeys },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/storage/kv/namespaces/:id/values/:key"),
    permission: [KV, "edit"],
    handle: (req) => {
      liveStore(req).delete(decodeURIComponent(req.params.key ?? ""));
      return { result: null };
    },
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/storage/kv/namespaces/:id/bulk/get"),
    permission: [KV, "read"],
    handle: (req) => {
      const store = liveStore(req);
      const body = jsonBody(req);
      const request = typeof body === "object" && body !== null ? (body as { keys?: unknown; type?: unknown; withMetadata?: unknown }) : {};
      const keys = stringArray(request.keys, 100);
      const type = request.type ?? "text";
      if (type !== "text" && type !== "json") fail(400, 10026, "type must be text or json");
      const values: Record<string, unknown> = {};
      for (const key of keys) {
        const entry = store.get(key);
        let value: unknown = entry?.value ?? null;
        if (entry && type === "json") {
          try {
            value = JSON.parse(entry.value);
          } catch {
            fail(400, 10026, `the value of ${key} is not JSON`);
          }
        }
        values[key] =
          request.withMetadata === true && entry
            ? { value, metadata: entry.metadata ?? null, ...(entry.expiration !== undefined ? { expiration: entry.expiration } : {}) }
            : value;
      }
      return { result: { values } };
    },
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/storage/kv/namespaces/:id/bulk/delete"),
    permission: [KV, "edit"],
    handle: (req) => {
      const { entries, undeletable } = liveData(req);
      const keys = stringArray(jsonBody(req), 10_000);
      const unsuccessful = keys.filter((k) => undeletable.has(k));
      for (const key of keys) if (!undeletable.has(key)) entries.delete(key);
      const data = kvData(req.account, req.params.id ?? "");
      data.afterBulkDelete?.();
      return { result: { successful_key_count: keys.length - unsuccessful.length, unsuccessful_keys: unsuccessful } };
    },
  },
  {
    method: "PUT",
    pattern: path("/accounts/:a/storage/kv/namespaces/:id/bulk"),
    permission: [KV, "edit"],
    handle: (req) => {
      const store = liveStore(req);
      const pairs = jsonBody(req);
      if (!Array.isArray(pairs) || pairs.length > 10_000) return fail(400, 10026, "expected a JSON array of at most 10000 key-value pairs");
      for (const pair of pairs as Array<Record<string, unknown>>) {
        if (typeof pair?.key !== "string" || typeof pair.value !== "string") fail(400, 10026, "each pair needs a string key and value");
        const ttl = typeof pair.expiration_ttl === "number" ? pair.expiration_ttl : undefined;
        if (ttl !== undefined && ttl < 60) fail(400, 10026, "expiration_ttl must be at least 60");
        const expiration = ttl !== undefined ? nowSeconds() + ttl : typeof pair.expiration === "number" ? pair.expiration : undefined;
        store.set(pair.key as string, {
          value: pair.value as string,
          ...(expiration !== undefined ? { expiration } : {}),
          ...(pair.metadata !== undefined ? { metadata: pair.metadata } : {}),
        });
      }
      return { result: { successful_key_count: pairs.length, unsuccessful_keys: [] } };
    },
  },
];
