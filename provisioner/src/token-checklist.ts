/**
 * Step 1's checks as a list a person can tick off: each permission the token needs, by its name in
 * the dashboard's token editor, then the Zero Trust organization and the workers.dev subdomain.
 * Built from step 1's outcome (its result, or the error that stopped it), so it never re-checks.
 * The Access permissions are probed only once Zero Trust is set up, and say so while it is not.
 */
import { ALL_PERMISSIONS, type PermissionName } from "./cloudflare/permissions";
import { PROBED_WITH_ZERO_TRUST } from "./cloudflare/probes";
import type { AccountChecks } from "./commands/setup";
import { PermissionsMissingError, PrerequisiteError } from "./errors";

export type CheckState = "ok" | "missing" | "unchecked";

export interface ChecklistItem {
  kind: "permission" | "zero-trust-organization" | "workers-dev-subdomain";
  label: string;
  state: CheckState;
  /** What was found (the team domain, the subdomain) when it is ok; why it was not checked when unchecked. */
  detail?: string;
}

export type TokenOutcome = { ok: true; checks: AccountChecks } | { ok: false; error: unknown };

const ORG_LABEL = "Zero Trust organization (your team's sign-in domain)";
const SUBDOMAIN_LABEL = "workers.dev subdomain (where the Worker gets its address)";
const AFTER_ZERO_TRUST = "checked once the Zero Trust organization below exists";

/** The checklist for an outcome; empty when step 1 stopped before checking anything. */
export function tokenChecklist(outcome: TokenOutcome): ChecklistItem[] {
  if (outcome.ok) {
    const { authDomain, workersSubdomain } = outcome.checks;
    return [
      ...permissions(() => "ok"),
      {
        kind: "zero-trust-organization",
        label: ORG_LABEL,
        state: authDomain ? "ok" : "unchecked",
        ...(authDomain ? { detail: authDomain } : {}),
      },
      {
        kind: "workers-dev-subdomain",
        label: SUBDOMAIN_LABEL,
        state: workersSubdomain ? "ok" : "unchecked",
        ...(workersSubdomain ? { detail: `${workersSubdomain}.workers.dev` } : {}),
      },
    ];
  }
  const { error } = outcome;
  if (error instanceof PermissionsMissingError) {
    const noZeroTrust = error.unchecked.length > 0;
    return [
      ...permissions((p) => (error.missing.includes(p) ? "missing" : error.unchecked.includes(p) ? "unchecked" : "ok")),
      { kind: "zero-trust-organization", label: ORG_LABEL, state: noZeroTrust ? "missing" : "unchecked" },
      { kind: "workers-dev-subdomain", label: SUBDOMAIN_LABEL, state: "unchecked" },
    ];
  }
  if (error instanceof PrerequisiteError && error.missing.length > 0) {
    const noZeroTrust = error.missing.includes("zero-trust-organization");
    return [
      ...permissions((p) => (noZeroTrust && PROBED_WITH_ZERO_TRUST.includes(p) ? "unchecked" : "ok")),
      { kind: "zero-trust-organization", label: ORG_LABEL, state: noZeroTrust ? "missing" : "ok" },
      { kind: "workers-dev-subdomain", label: SUBDOMAIN_LABEL, state: error.missing.includes("workers-dev-subdomain") ? "missing" : "ok" },
    ];
  }
  return [];
}

function permissions(state: (permission: PermissionName) => CheckState): ChecklistItem[] {
  return ALL_PERMISSIONS.map((p) => {
    const s = state(p);
    return {
      kind: "permission",
      label: p,
      state: s,
      ...(s === "unchecked" && PROBED_WITH_ZERO_TRUST.includes(p) ? { detail: AFTER_ZERO_TRUST } : {}),
    };
  });
}
