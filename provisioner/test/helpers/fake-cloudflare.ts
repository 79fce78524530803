/**
 * Test entry to the fake Cloudflare API: start it, seed accounts and tokens, inspect what exists,
 * connect a pretend cloudflared, and reach deployed Workers through a fake edge.
 */
import { createEdgeFetch } from "./fake-cloudflare/edge";
import { fullPermissions, hex, nowIso, uuid, type FakeAccount, type PermissionGroup, type PermissionLevel } from "./fake-cloudflare/model";
import { FakeCloudflare } from "./fake-cloudflare/server";

export { FakeCloudflare };
export type { CallRecord, FaultSpec } from "./fake-cloudflare/server";
export type { FakeAccount, PermissionGroup, PermissionLevel };
export { combinedAccessPermissions } from "./fake-cloudflare/model";
export { accessFaults } from "./fake-cloudflare/routes-access";

/** Starts a fake on 127.0.0.1 (port 0). */
export async function startFakeCloudflare(): Promise<FakeCloudflare> {
  return new FakeCloudflare().start();
}

/** Reaches `https://<script>.<subdomain>.workers.dev` in the fake; other URLs go to the network. */
export function edgeFetch(fake: FakeCloudflare, passthrough?: typeof fetch): typeof fetch {
  return createEdgeFetch(() => fake.accounts.values(), passthrough);
}

/** What exists in an account, by name, for "no duplicates" assertions. */
export function inventory(account: FakeAccount) {
  const apps = [...account.apps.values()];
  return {
    tunnels: [...account.tunnels.values()].filter((t) => t.deletedAt === null).map((t) => t.name),
    services: [...account.services.values()].map((s) => s.name),
    kv: [...account.kv.values()].map((n) => n.title),
    scripts: [...account.scripts.keys()],
    apps: apps.map((a) => a.name),
    policies: apps.flatMap((a) => [...a.policies.values()].map((p) => p.name)),
  };
}

/** Pretends a cloudflared of `version` connected to the tunnel (two connections, as it opens). */
export function connectTunnel(account: FakeAccount, tunnelId: string, version: string): void {
  const tunnel = account.tunnels.get(tunnelId);
  if (!tunnel) throw new Error(`no tunnel ${tunnelId}`);
  const clientId = uuid();
  tunnel.everConnected = true;
  tunnel.connections = ["fra08", "ams01"].map((colo) => ({ id: uuid(), clientId, version, colo, openedAt: nowIso() }));
}

/** Seeds resources created outside the provisioner (for adoption tests). */
export const seed = {
  tunnel(account: FakeAccount, name: string): string {
    const id = uuid();
    account.tunnels.set(id, { id, name, secret: hex(32), configSrc: "cloudflare", createdAt: nowIso(), deletedAt: null, connections: [], everConnected: false });
    return id;
  },
  kv(account: FakeAccount, title: string): string {
    const id = hex(16);
    account.kv.set(id, { id, title });
    return id;
  },
  accessApp(account: FakeAccount, name: string): string {
    const id = uuid();
    account.apps.set(id, {
      id,
      name,
      type: "saas",
      appLauncherVisible: false,
      saas: { auth_type: "oidc", client_id: hex(32), redirect_uris: ["https://elsewhere.example/callback"], grant_types: ["authorization_code"], scopes: ["openid"], options: {} },
      clientSecret: hex(32),
      policies: new Map(),
      settings: {},
      createdAt: nowIso(),
      updatedAt: nowIso(),
    });
    return id;
  },
};

/** A permission map with some groups removed (or lowered to read). */
export function permissionsWithout(...groups: PermissionGroup[]): Map<PermissionGroup, PermissionLevel> {
  const map = fullPermissions();
  for (const g of groups) map.delete(g);
  return map;
}
