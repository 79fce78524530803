/**
 * The grant store of an install on Cloudflare: its OAUTH_KV namespace through the KV REST API.
 */
import { KV_BULK_DELETE_LIMIT, KV_BULK_GET_LIMIT, KvApi } from "../cloudflare/api-kv";
import type { CloudflareClient } from "../cloudflare/client";
import type { KvStore } from "./kv-store";

export function cloudflareKvStore(client: CloudflareClient, accountId: string, namespaceId: string): KvStore {
  const kv = new KvApi(client);
  return {
    source: { kind: "cloudflare", accountId, namespaceId },
    maxGetBatch: KV_BULK_GET_LIMIT,
    listKeys: (prefix, cursor) => kv.listKeys(accountId, namespaceId, prefix, cursor),
    getValues: (names) => kv.getValues(accountId, namespaceId, names),
    async deleteKeys(names) {
      const failed: string[] = [];
      for (let start = 0; start < names.length; start += KV_BULK_DELETE_LIMIT) {
        failed.push(...(await kv.deleteKeys(accountId, namespaceId, names.slice(start, start + KV_BULK_DELETE_LIMIT))));
      }
      return failed;
    },
    close: async () => {},
  };
}
