/**
 * Workers KV namespaces: the OAuth grant store behind the Worker's OAUTH_KV binding.
 */
import type { CloudflareClient } from "./client";
import { PERMISSIONS } from "./permissions";
import type { KvNamespace } from "./types";

const KV = PERMISSIONS.workersKv;

export class StorageApi {
  constructor(private readonly client: CloudflareClient) {}

  async listKvNamespaces(accountId: string): Promise<KvNamespace[]> {
    const items = await this.client.listAll({ label: "list KV namespaces", method: "GET", permission: KV }, (page, perPage) =>
      this.client.sdk.kv.namespaces.list({ account_id: accountId, page, per_page: perPage }),
    );
    return items.map((n) => ({ id: n.id, title: n.title }));
  }

  async getKvNamespace(accountId: string, namespaceId: string): Promise<KvNamespace | undefined> {
    const result = await this.client.callOrNotFound({ label: "read the KV namespace", method: "GET", permission: KV }, () =>
      this.client.sdk.kv.namespaces.get(namespaceId, { account_id: accountId }),
    );
    return result ? { id: result.id, title: result.title } : undefined;
  }

  async createKvNamespace(accountId: string, title: string): Promise<KvNamespace> {
    const result = await this.client.call({ label: `create the KV namespace "${title}"`, method: "POST", permission: KV }, () =>
      this.client.sdk.kv.namespaces.create({ account_id: accountId, title }),
    );
    return { id: result.id, title: result.title };
  }

  async deleteKvNamespace(accountId: string, namespaceId: string): Promise<void> {
    await this.client.call({ label: "delete the KV namespace", method: "DELETE", permission: KV }, () =>
      this.client.sdk.kv.namespaces.delete(namespaceId, { account_id: accountId }),
    );
  }
}
