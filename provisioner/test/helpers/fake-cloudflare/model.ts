/**
 * The fake Cloudflare API's in-memory data: accounts, tokens and each account's resources, with
 * ids shaped as the real API issues them (32-hex account/KV/token ids, UUIDs for tunnels, services,
 * Access apps and policies, 64-hex OIDC client credentials).
 */
import { randomBytes, randomUUID } from "node:crypto";

/** Permission groups as the dashboard names them; "edit" implies "read". */
export const PERMISSION_GROUPS = [
  "Access: Apps and Policies",
  "Access: Organizations, Identity Providers, and Groups",
  "Cloudflare Tunnel",
  "Connectivity Directory",
  "Workers Scripts",
  "Workers KV Storage",
] as const;
export type PermissionGroup = (typeof PERMISSION_GROUPS)[number];
export type PermissionLevel = "read" | "edit";

/** Every permission the provisioner asks for, at the level it asks for. */
export function fullPermissions(): Map<PermissionGroup, PermissionLevel> {
  const map = new Map<PermissionGroup, PermissionLevel>(PERMISSION_GROUPS.map((g) => [g, "edit"]));
  map.set("Access: Organizations, Identity Providers, and Groups", "read");
  return map;
}

export interface FakeToken {
  value: string;
  id: string;
  kind: "user" | "account";
  accounts: string[];
  permissions: Map<PermissionGroup, PermissionLevel>;
  status: "active" | "disabled" | "expired";
}

export interface FakeConnection {
  id: string;
  clientId: string;
  version: string;
  colo: string;
  openedAt: string;
}

export interface FakeTunnel {
  id: string;
  name: string;
  secret: string;
  configSrc: "local" | "cloudflare";
  createdAt: string;
  deletedAt: string | null;
  connections: FakeConnection[];
  everConnected: boolean;
}

export interface FakeService {
  id: string;
  name: string;
  type: string;
  host: Record<string, unknown>;
  httpPort: number | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface FakeScript {
  name: string;
  metadata: Record<string, unknown>;
  modules: Map<string, { contentType: string; content: Uint8Array }>;
  secrets: Map<string, string>;
  workersDev: boolean;
  createdOn: string;
  modifiedOn: string;
  etag: string;
  /** Requests to its workers.dev host still answered with 404 (propagation). */
  edgeWarmup: number;
  uploads: number;
  /** The last upload as it arrived on the wire. */
  raw: { contentType: string; body: Buffer };
}

export interface FakePolicy {
  id: string;
  name: string;
  decision: string;
  include: unknown[];
  exclude: unknown[];
  require: unknown[];
  precedence: number;
  createdAt: string;
  updatedAt: string;
}

export interface FakeApp {
  id: string;
  name: string;
  type: string;
  appLauncherVisible: boolean;
  saas:
    | { auth_type: string; client_id: string; redirect_uris: string[]; grant_types: string[]; scopes: string[]; refresh_token_options?: { lifetime: string } }
    | undefined;
  clientSecret: string | undefined;
  policies: Map<string, FakePolicy>;
  createdAt: string;
  updatedAt: string;
}

export interface FakeAccount {
  id: string;
  name: string;
  workersSubdomain: string | undefined;
  org: { authDomain: string; name: string } | undefined;
  identityProviders: Array<{ id: string; name: string; type: string }>;
  tunnels: Map<string, FakeTunnel>;
  services: Map<string, FakeService>;
  kv: Map<string, { id: string; title: string }>;
  scripts: Map<string, FakeScript>;
  apps: Map<string, FakeApp>;
}

export const hex = (bytes: number) => randomBytes(bytes).toString("hex");
export const uuid = () => randomUUID();
export const nowIso = () => new Date().toISOString();

export function newAccount(name: string, options: { workersSubdomain?: string | null; authDomain?: string | null; identityProviders?: Array<{ name: string; type: string }> }): FakeAccount {
  const subdomain = options.workersSubdomain === null ? undefined : (options.workersSubdomain ?? name.toLowerCase().replace(/[^a-z0-9-]/g, "-"));
  const authDomain = options.authDomain === null ? undefined : (options.authDomain ?? `${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}.cloudflareaccess.com`);
  return {
    id: hex(16),
    name,
    workersSubdomain: subdomain,
    org: authDomain ? { authDomain, name: authDomain.split(".")[0] ?? name } : undefined,
    identityProviders: (options.identityProviders ?? [{ name: "One-time PIN", type: "onetimepin" }]).map((p) => ({ id: uuid(), ...p })),
    tunnels: new Map(),
    services: new Map(),
    kv: new Map(),
    scripts: new Map(),
    apps: new Map(),
  };
}
