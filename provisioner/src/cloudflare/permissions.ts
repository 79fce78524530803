/**
 * The API token permissions the provisioner needs, named exactly as the Cloudflare dashboard's
 * token editor shows them, so an error message can be followed click by click.
 */

export const PERMISSIONS = {
  accessApps: "Account › Access: Apps and Policies › Edit",
  accessOrganizations: "Account › Access: Organizations, Identity Providers, and Groups › Read",
  tunnel: "Account › Cloudflare Tunnel › Edit",
  connectivity: "Account › Connectivity Directory › Admin",
  workersScripts: "Account › Workers Scripts › Edit",
  workersKv: "Account › Workers KV Storage › Edit",
} as const;

export type PermissionName = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** Every permission, in the order the dashboard lists them. */
export const ALL_PERMISSIONS: readonly PermissionName[] = [
  PERMISSIONS.accessApps,
  PERMISSIONS.accessOrganizations,
  PERMISSIONS.tunnel,
  PERMISSIONS.connectivity,
  PERMISSIONS.workersScripts,
  PERMISSIONS.workersKv,
];

export const API_TOKENS_URL = "https://dash.cloudflare.com/profile/api-tokens" as const;
