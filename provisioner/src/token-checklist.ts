/**
 * Step 1's checks as a list a person can tick off: each permission the token needs, by its name in
 * the dashboard's token editor, then the Zero Trust organization and the workers.dev subdomain.
 * Built from step 1's outcome (its result, or the error that stopped it), so it never re-checks.
 */
import { ALL_PERMISSIONS } from "./cloudflare/permissions";
import type { AccountChecks } from "./commands/setup";
import { PermissionsMissingError, PrerequisiteError } from "./errors";

export type CheckState = "ok" | "missing" | "unchecked";

export interface ChecklistItem {
  kind: "permission" | "zero-trust-organization" | "workers-dev-subdomain";
  label: string;
  state: CheckState;
  /** What was found (the team domain, the subdomain), when it is ok. */
  detail?: string;
}

export type TokenOutcome = { ok: true; checks: AccountChecks } | { ok: false; error: unknown };

const ORG_LABEL = "Zero Trust organization (your team's sign-in domain)";
const SUBDOMAIN_LABEL = "workers.dev subdomain (where the Worker gets its address)";

/** The checklist for an outcome; empty when step 1 stopped before checking anything. */
export function tokenChecklist(outcome: TokenOutcome): ChecklistItem[] {
  if (outcome.ok) {
    const { authDomain, workersSubdomain } = outcome.checks;
    return [
      ...permissions(() => "ok"),
      { kind: "zero-trust-organization", label: ORG_LABEL, state: authDomain ? "ok" : "unchecked", ...(authDomain ? { detail: authDomain } : {}) },
      { kind: "workers-dev-subdomain", label: SUBDOMAIN_LABEL, state: workersSubdomain ? "ok" : "unchecked", ...(workersSubdomain ? { detail: `${workersSubdomain}.workers.dev` } : {}) },
    ];
  }
  const { error } = outcome;
  if (error instanceof PermissionsMissingError) {
    return [
      ...permissions((p) => (error.missing.includes(p) ? "missing" : "ok")),
      { kind: "zero-trust-organization", label: ORG_LABEL, state: "unchecked" },
      { kind: "workers-dev-subdomain", label: SUBDOMAIN_LABEL, state: "unchecked" },
    ];
  }
  if (error instanceof PrerequisiteError && error.missing.length > 0) {
    return [
      ...permissions(() => "ok"),
      { kind: "zero-trust-organization", label: ORG_LABEL, state: error.missing.includes("zero-trust-organization") ? "missing" : "ok" },
      { kind: "workers-dev-subdomain", label: SUBDOMAIN_LABEL, state: error.missing.includes("workers-dev-subdomain") ? "missing" : "ok" },
    ];
  }
  return [];
}

function permissions(state: (permission: string) => CheckState): ChecklistItem[] {
  return ALL_PERMISSIONS.map((p) => ({ kind: "permission", label: p, state: state(p) }));
}
