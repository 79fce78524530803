/**
 * The API token permissions the provisioner needs, named as the Cloudflare dashboard's token editor
 * shows them today (Account › group › level), so an error message can be followed click by click.
 * Access now has fine-grained groups beside the older combined ones; either kind works, and each
 * fine-grained name carries the combined group that also covers it. Sources: docs/decisions.md.
 */

export const PERMISSIONS = {
  accessApps: "Account › Access: Apps › Edit",
  accessPolicies: "Account › Access: Policies › Edit",
  accessOrganizations: "Account › Access: Organizations › Read",
  accessIdentityProviders: "Account › Access: Identity Providers › Read",
  tunnel: "Account › Cloudflare Tunnel › Edit",
  connectivity: "Account › Connectivity Directory › Admin",
  workersScripts: "Account › Workers Scripts › Edit",
  workersKv: "Account › Workers KV Storage › Edit",
} as const;

export type PermissionName = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** Every permission, in the order the token editor lists them. */
export const ALL_PERMISSIONS: readonly PermissionName[] = [
  PERMISSIONS.accessApps,
  PERMISSIONS.accessPolicies,
  PERMISSIONS.accessOrganizations,
  PERMISSIONS.accessIdentityProviders,
  PERMISSIONS.tunnel,
  PERMISSIONS.connectivity,
  PERMISSIONS.workersScripts,
  PERMISSIONS.workersKv,
];

const COMBINED_APPS_AND_POLICIES = "Account › Access: Apps and Policies › Edit";
const COMBINED_ORGANIZATIONS = "Account › Access: Organizations, Identity Providers, and Groups › Read";

/** The older combined Access groups, which still grant what the fine-grained ones do. */
export const COMBINED_PERMISSIONS: Readonly<Partial<Record<PermissionName, string>>> = {
  [PERMISSIONS.accessApps]: COMBINED_APPS_AND_POLICIES,
  [PERMISSIONS.accessPolicies]: COMBINED_APPS_AND_POLICIES,
  [PERMISSIONS.accessOrganizations]: COMBINED_ORGANIZATIONS,
  [PERMISSIONS.accessIdentityProviders]: COMBINED_ORGANIZATIONS,
};

/** One line telling that the combined Access groups work too (help text, README, errors). */
export const COMBINED_PERMISSIONS_NOTE = `A token made with the older combined groups works too: "${COMBINED_APPS_AND_POLICIES}" stands for the first two, "${COMBINED_ORGANIZATIONS}" for the next two.`;

/**
 * The levels a read-only probe cannot tell apart from the one needed: a token with these passes
 * every check before the first write and fails at the write.
 */
export const LEVELS_PROBES_CANNOT_SEE: Readonly<Record<PermissionName, string>> = {
  [PERMISSIONS.accessApps]: "Read",
  [PERMISSIONS.accessPolicies]: "Read",
  [PERMISSIONS.accessOrganizations]: "",
  [PERMISSIONS.accessIdentityProviders]: "",
  [PERMISSIONS.tunnel]: "Read",
  [PERMISSIONS.connectivity]: "Read or Bind",
  [PERMISSIONS.workersScripts]: "Read",
  [PERMISSIONS.workersKv]: "Read",
};

export const API_TOKENS_URL = "https://dash.cloudflare.com/profile/api-tokens" as const;
