/**
 * The fake Cloudflare API's in-memory data: accounts, tokens and each account's resources, with
 * ids shaped as the real API issues them (32-hex account/KV/token ids, UUIDs for tunnels, services,
 * Access apps and policies, 64-hex OIDC client credentials).
 */
import { randomBytes, randomUUID } from "node:crypto";

/**
 * Permission groups as the token editor names them. The fine-grained Access groups stand beside
 * the older combined ones; an endpoint accepts any group listed for it (see route.ts).
 */
export type PermissionGroup =
  | "Access: Apps"
  | "Access: Policies"
  | "Access: Apps and Policies"
  | "Access: Organizations"
  | "Access: Identity Providers"
  | "Access: Organizations, Identity Providers, and Groups"
  | "Cloudflare Tunnel"
  | "Connectivity Directory"
  | "Workers Scripts"
  | "Workers KV Storage";
/** Levels in increasing order; each includes the ones before it ("bind" exists for Connectivity Directory). */
export type PermissionLevel = "read" | "bind" | "edit";
export const LEVEL_RANK: Record<PermissionLevel, number> = { read: 1, bind: 2, edit: 3 };

/** What a person creating a token today picks: the fine-grained Access groups. */
export function fullPermissions(): Map<PermissionGroup, PermissionLevel> {
  return new Map<PermissionGroup, PermissionLevel>([
    ["Access: Apps", "edit"],
    ["Access: Policies", "edit"],
    ["Access: Organizations", "read"],
    ["Access: Identity Providers", "read"],
    ["Cloudflare Tunnel", "edit"],
    ["Connectivity Directory", "edit"],
    ["Workers Scripts", "edit"],
    ["Workers KV Storage", "edit"],
  ]);
}

/** The same token made with the older combined Access groups. */
export function combinedAccessPermissions(): Map<PermissionGroup, PermissionLevel> {
  const map = fullPermissions();
  for (const g of ["Access: Apps", "Access: Policies", "Access: Organizations", "Access: Identity Providers"] as const) map.delete(g);
  map.set("Access: Apps and Policies", "edit");
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
  /**
   * What GET /accounts gives this token: its accounts, an empty list, or a refusal (account-owned
   * tokens and tokens without Account Settings Read can see either of the last two).
   */
  accountsList: "listed" | "empty" | "forbidden";
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

export interface FakeSaas {
  auth_type: string;
  client_id: string;
  redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  /** Every other saas_app setting as last written (access_token_lifetime, refresh_token_options…). */
  options: Record<string, unknown>;
}

export interface FakeApp {
  id: string;
  name: string;
  type: string;
  appLauncherVisible: boolean;
  saas: FakeSaas | undefined;
  clientSecret: string | undefined;
  policies: Map<string, FakePolicy>;
  /** Other top-level settings as last written (allowed_idps, session_duration…); a PUT replaces them all. */
  settings: Record<string, unknown>;
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
