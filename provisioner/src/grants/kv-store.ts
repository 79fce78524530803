/**
 * The storage the grant commands work on: the few KV operations they need, with two backends —
 * the install's OAUTH_KV through the Cloudflare API (store-cloudflare.ts) and the local stack's
 * Miniflare KV (store-local.ts). Everything above this interface is the same for both.
 */
import type { KvKey, KvKeyPage } from "../cloudflare/api-kv";

export type { KvKey, KvKeyPage };

/** Where a store's data lives, for messages and `--json`. */
export type KvStoreSource = { kind: "cloudflare"; accountId: string; namespaceId: string } | { kind: "local"; dir: string };

export interface KvStore {
  readonly source: KvStoreSource;
  /** Largest number of names `getValues` takes at once. */
  readonly maxGetBatch: number;
  /** One page of keys starting with `prefix`; pass the returned cursor for the next one. */
  listKeys(prefix: string, cursor?: string): Promise<KvKeyPage>;
  /** Text values by key name; a missing key maps to null. */
  getValues(names: readonly string[]): Promise<Map<string, string | null>>;
  /** Deletes the keys (missing ones count as deleted); returns names that could not be deleted. */
  deleteKeys(names: readonly string[]): Promise<string[]>;
  /** Releases what the store holds (the local backend's Miniflare). */
  close(): Promise<void>;
}

/** A list longer than this many pages is treated as a store misbehaving, not looped forever. */
const MAX_PAGES = 1000;

/** Every key starting with `prefix`, following the cursor (pages may be empty while it is set). */
export async function listAllKeys(store: KvStore, prefix: string): Promise<KvKey[]> {
  const keys: KvKey[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await store.listKeys(prefix, cursor);
    keys.push(...result.keys);
    if (!result.cursor) return keys;
    cursor = result.cursor;
  }
  throw new Error(`the KV store kept returning pages of "${prefix}" keys past ${MAX_PAGES}`);
}

/** Values of any number of keys, `store.maxGetBatch` per call. */
export async function getAllValues(store: KvStore, names: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let start = 0; start < names.length; start += store.maxGetBatch) {
    for (const [name, value] of await store.getValues(names.slice(start, start + store.maxGetBatch))) out.set(name, value);
  }
  return out;
}
