/**
 * Read-only probes, one per permission the setup needs. Neither token-verify endpoint lists a
 * token's permissions, so each is checked with a cheap list call before anything is written. The
 * Zero Trust organization is read before the Access probes: without one, every Access call fails
 * with an error that says nothing about permissions, so those probes are not run at all.
 */
import type { CloudflareClient } from "./client";
import { CF_ERROR, CloudflareApiError } from "./errors";
import { ALL_PERMISSIONS, PERMISSIONS, type PermissionName } from "./permissions";
import type { AccessOrganization } from "./types";

interface Probe {
  permission: PermissionName;
  label: string;
  run(cf: CloudflareClient, accountId: string): PromiseLike<unknown>;
}

const ACCOUNT_PROBES: readonly Probe[] = [
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
  {
    permission: PERMISSIONS.workersKv,
    label: "list KV namespaces",
    run: (cf, a) => cf.sdk.kv.namespaces.list({ account_id: a, per_page: 1 }),
  },
];

/** Run only once the account is known to have a Zero Trust organization. */
const ACCESS_PROBES: readonly Probe[] = [
  {
    permission: PERMISSIONS.accessApps,
    label: "list Access applications",
    run: (cf, a) => cf.sdk.zeroTrust.access.applications.list({ account_id: a, per_page: 1 }),
  },
  {
    permission: PERMISSIONS.accessPolicies,
    label: "list Access policies",
    run: (cf, a) => cf.sdk.zeroTrust.access.policies.list({ account_id: a, per_page: 1 }),
  },
  {
    permission: PERMISSIONS.accessIdentityProviders,
    label: "list identity providers",
    run: (cf, a) => cf.sdk.zeroTrust.identityProviders.list({ account_id: a, per_page: 1 }),
  },
];

/** The permissions probed only once the account has a Zero Trust organization, in token-editor order. */
export const PROBED_WITH_ZERO_TRUST: readonly PermissionName[] = ACCESS_PROBES.map((p) => p.permission).sort(
  (a, b) => ALL_PERMISSIONS.indexOf(a) - ALL_PERMISSIONS.indexOf(b),
);

/** What the token may do on the account, and whether the account has a Zero Trust organization. */
export interface TokenCheck {
  /** Missing permissions, in token-editor order. */
  missing: PermissionName[];
  /** Permissions not probed because the account has no Zero Trust organization (else empty). */
  unchecked: PermissionName[];
  /** The organization; "absent" when the account has none, "unknown" when the token may not read it. */
  organization: AccessOrganization | "absent" | "unknown";
  /** True when no probe succeeded: the token is likely not valid for this account at all. */
  nothingAllowed: boolean;
}

/** Runs every probe that can tell something and returns what it learned. */
export async function checkToken(cf: CloudflareClient, accountId: string): Promise<TokenCheck> {
  const missing = await runProbes(cf, accountId, ACCOUNT_PROBES);
  let organization: TokenCheck["organization"];
  try {
    organization = (await cf.access.getOrganization(accountId)) ?? "absent";
  } catch (error) {
    if (!(error instanceof CloudflareApiError && error.isPermissionError)) throw error;
    organization = "unknown";
    missing.push(PERMISSIONS.accessOrganizations);
  }
  // Without an organization the Access probes cannot tell a missing permission from a missing Zero
  // Trust; when the token may not read the organization, only their permission refusals count.
  if (organization !== "absent") missing.push(...(await runProbes(cf, accountId, ACCESS_PROBES, organization === "unknown")));
  const probed = ACCOUNT_PROBES.length + 1 + (organization !== "absent" ? ACCESS_PROBES.length : 0);
  return {
    missing: missing.sort((a, b) => ALL_PERMISSIONS.indexOf(a) - ALL_PERMISSIONS.indexOf(b)),
    unchecked: organization === "absent" ? [...PROBED_WITH_ZERO_TRUST] : [],
    organization,
    nothingAllowed: missing.length === probed,
  };
}

async function runProbes(
  cf: CloudflareClient,
  accountId: string,
  probes: readonly Probe[],
  onlyRefusals = false,
): Promise<PermissionName[]> {
  const missing: PermissionName[] = [];
  for (const probe of probes) {
    try {
      await cf.call({ label: probe.label, method: "GET", permission: probe.permission }, () => probe.run(cf, accountId));
    } catch (error) {
      if (error instanceof CloudflareApiError && error.isPermissionError) missing.push(probe.permission);
      // An API base without this list endpoint (a proxy or a stand-in) cannot tell; the write that needs it will.
      else if (error instanceof CloudflareApiError && (error.hasCode(CF_ERROR.noRoute) || error.hasCode(CF_ERROR.noRouteForUri))) continue;
      else if (!(onlyRefusals && error instanceof CloudflareApiError && error.status !== undefined && error.status < 500)) throw error;
    }
  }
  return missing;
}
