/**
 * Read-only probes, one per permission the setup needs. Neither token-verify endpoint lists a
 * token's permissions, so each is checked with a cheap list call before anything is written.
 */
import type { CloudflareClient } from "./client";
import { CloudflareApiError } from "./errors";
import { ALL_PERMISSIONS, PERMISSIONS, type PermissionName } from "./permissions";

interface Probe {
  permission: PermissionName;
  label: string;
  run(cf: CloudflareClient, accountId: string): PromiseLike<unknown>;
}

const PROBES: readonly Probe[] = [
  {
    permission: PERMISSIONS.tunnel,
    label: "list tunnels",
    run: (cf, a) => cf.sdk.zeroTrust.tunnels.cloudflared.list({ account_id: a, per_page: 1, is_deleted: false }),
  },
  {
    permission: PERMISSIONS.connectivity,
    label: "list Workers VPC services",
    run: (cf, a) => cf.sdk.connectivity.directory.services.list({ account_id: a, per_page: 1 }),
  },
  { permission: PERMISSIONS.workersScripts, label: "list Workers", run: (cf, a) => cf.sdk.workers.scripts.list({ account_id: a }) },
  { permission: PERMISSIONS.workersKv, label: "list KV namespaces", run: (cf, a) => cf.sdk.kv.namespaces.list({ account_id: a, per_page: 1 }) },
  {
    permission: PERMISSIONS.accessApps,
    label: "list Access applications",
    run: (cf, a) => cf.sdk.zeroTrust.access.applications.list({ account_id: a, per_page: 1 }),
  },
  {
    permission: PERMISSIONS.accessOrganizations,
    label: "list identity providers",
    run: (cf, a) => cf.sdk.zeroTrust.identityProviders.list({ account_id: a, per_page: 1 }),
  },
];

/** Runs every probe and returns the permissions the token lacks, in dashboard order. */
export async function findMissingPermissions(cf: CloudflareClient, accountId: string): Promise<PermissionName[]> {
  const missing: PermissionName[] = [];
  for (const probe of PROBES) {
    try {
      await cf.call({ label: probe.label, method: "GET", permission: probe.permission }, () => probe.run(cf, accountId));
    } catch (error) {
      if (error instanceof CloudflareApiError && error.isPermissionError) missing.push(probe.permission);
      else throw error;
    }
  }
  return missing.sort((a, b) => ALL_PERMISSIONS.indexOf(a) - ALL_PERMISSIONS.indexOf(b));
}
