/**
 * Keys and values in a Workers KV namespace through the REST API (the OAuth grant store behind the
 * Worker's OAUTH_KV): list keys by prefix with cursor pagination (names, expirations and key
 * metadata), read up to 100 values per call, and delete up to 10 000 keys per call. Key names go
 * in JSON bodies, never in URL paths, so names holding `%` or `:` need no escaping.
 */
import type { CloudflareClient } from "./client";
import { CloudflareApiError } from "./errors";
import { PERMISSIONS } from "./permissions";

const KV = PERMISSIONS.workersKv;

/** The API's largest page of keys (and the Workers binding's). */
export const KV_LIST_LIMIT = 1000;
/** Values per bulk read. */
export const KV_BULK_GET_LIMIT = 100;
/** Keys per bulk delete. */
export const KV_BULK_DELETE_LIMIT = 10_000;

export interface KvKey {
  name: string;
  /** Seconds since the epoch at which the key expires; absent when it never does. */
  expiration?: number;
  /** The key's metadata as stored (JSON), when it has any. */
  metadata?: unknown;
}

export interface KvKeyPage {
  keys: KvKey[];
  /** Present while more keys follow. */
  cursor: string | undefined;
}

export class KvApi {
  constructor(private readonly client: CloudflareClient) {}

  /** One page of keys whose names start with `prefix`, in lexicographic order. */
  async listKeys(accountId: string, namespaceId: string, prefix: string, cursor?: string): Promise<KvKeyPage> {
    const op = { label: "list the keys of the KV namespace", method: "GET", permission: KV } as const;
    const page = await this.client.call(op, () =>
      this.client.sdk.kv.namespaces.keys.list(namespaceId, {
        account_id: accountId,
        prefix,
        limit: KV_LIST_LIMIT,
        ...(cursor ? { cursor } : {}),
      }),
    );
    const keys: KvKey[] = [];
    for (const item of page.getPaginatedItems() as unknown[]) {
      const key = readKey(item);
      if (!key)
        throw new CloudflareApiError(op, 200, [], "The API listed a key without a name; this looks like an API fault. Try again later.");
      keys.push(key);
    }
    const next = page.result_info?.cursor;
    return { keys, cursor: typeof next === "string" && next !== "" ? next : undefined };
  }

  /**
   * The text values of up to 100 keys; a key that does not exist maps to null. Values are
   * returned unparsed: the caller validates what it reads.
   */
  async getValues(accountId: string, namespaceId: string, names: readonly string[]): Promise<Map<string, string | null>> {
    if (names.length > KV_BULK_GET_LIMIT) throw new RangeError(`at most ${KV_BULK_GET_LIMIT} keys per bulk read`);
    const out = new Map<string, string | null>();
    if (names.length === 0) return out;
    const op = { label: "read values from the KV namespace", method: "POST", permission: KV, idempotent: true } as const;
    const result: unknown = await this.client.call(op, () =>
      this.client.sdk.kv.namespaces.bulkGet(namespaceId, { account_id: accountId, keys: [...names], type: "text" }),
    );
    const values = typeof result === "object" && result !== null ? (result as { values?: unknown }).values : undefined;
    const record = typeof values === "object" && values !== null ? (values as Record<string, unknown>) : {};
    for (const name of names) {
      const value = Object.hasOwn(record, name) ? record[name] : null;
      out.set(name, typeof value === "string" ? value : null);
    }
    return out;
  }

  /** Deletes up to 10 000 keys (missing ones count as deleted); returns the names the API could not delete. */
  async deleteKeys(accountId: string, namespaceId: string, names: readonly string[]): Promise<string[]> {
    if (names.length > KV_BULK_DELETE_LIMIT) throw new RangeError(`at most ${KV_BULK_DELETE_LIMIT} keys per bulk delete`);
    if (names.length === 0) return [];
    const op = { label: "delete keys from the KV namespace", method: "POST", permission: KV, idempotent: true } as const;
    const result: unknown = await this.client.call(op, () =>
      this.client.sdk.kv.namespaces.bulkDelete(namespaceId, { account_id: accountId, body: [...names] }),
    );
    const failed =
      typeof result === "object" && result !== null ? (result as { unsuccessful_keys?: unknown }).unsuccessful_keys : undefined;
    return Array.isArray(failed) ? failed.filter((n): n is string => typeof n === "string") : [];
  }
}

function readKey(item: unknown): KvKey | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { name, expiration, metadata } = item as { name?: unknown; expiration?: unknown; metadata?: unknown };
  if (typeof name !== "string" || name === "") return undefined;
  const key: KvKey = { name };
  if (typeof expiration === "number") key.expiration = expiration;
  if (metadata !== undefined && metadata !== null) key.metadata = metadata;
  return key;
}
