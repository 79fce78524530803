/**
 * Errors the provisioner raises on purpose. Each has a typed `code` and a `hint` that says what
 * to do next; the CLI maps them to output and exit codes in one place (cli/output.ts).
 */
import { API_TOKENS_URL, COMBINED_PERMISSIONS_NOTE } from "./cloudflare/permissions";

export type ProvisionerErrorCode =
  | "usage"
  | "state"
  | "adoption_required"
  | "permissions_missing"
  | "prerequisite_missing"
  | "account_choice"
  | "bundle_failed"
  | "verify_failed"
  | "interrupted"
  | "locked"
  | "not_set_up"
  | "access_secret_lost";

/** Base class: `message` says what happened, `hint` what to do about it. */
export class ProvisionerError extends Error {
  readonly code: ProvisionerErrorCode;
  readonly hint: string | undefined;

  constructor(code: ProvisionerErrorCode, message: string, hint?: string) {
    super(message);
    this.name = "ProvisionerError";
    this.code = code;
    this.hint = hint;
  }
}

/** A flag or argument is wrong. */
export class UsageError extends ProvisionerError {
  constructor(message: string, hint = "Run with --help to see the commands and flags.") {
    super("usage", message, hint);
    this.name = "UsageError";
  }
}

/** The state file is unreadable, malformed, or belongs to another setup. */
export class StateError extends ProvisionerError {
  constructor(message: string, hint?: string) {
    super("state", message, hint);
    this.name = "StateError";
  }
}

/** A resource with our name exists but the state does not know it, and nobody agreed to adopt it. */
export class AdoptionRequiredError extends ProvisionerError {
  readonly conflicts: ReadonlyArray<{ resource: string; name: string; id: string }>;
  readonly resource: string;
  readonly resourceName: string;
  readonly resourceId: string;

  constructor(
    resource: string,
    resourceName: string,
    resourceId: string,
    more: ReadonlyArray<{ resource: string; name: string; id: string }> = [],
  ) {
    const conflicts = [
      { resource, name: resourceName, id: resourceId },
      ...more.map((c) => ({ resource: c.resource, name: c.name, id: c.id })),
    ];
    const listing = conflicts.map((c) => `a ${c.resource} named "${c.name}" (id ${c.id})`).join(", ");
    super(
      "adoption_required",
      `This account already has ${listing}, but the state file does not know ${conflicts.length === 1 ? "it" : "them"}. Nothing was changed.`,
      "Re-run with --adopt to take over what exists, or choose other names (--tunnel-name, --vpc-service-name, --worker-name), or delete them in the Cloudflare dashboard.",
    );
    this.name = "AdoptionRequiredError";
    this.conflicts = conflicts;
    this.resource = resource;
    this.resourceName = resourceName;
    this.resourceId = resourceId;
  }
}

/** The API token lacks permissions; lists every missing one by its dashboard name. */
export class PermissionsMissingError extends ProvisionerError {
  readonly missing: readonly string[];
  /**
   * Permissions that could not be checked because the account has no Zero Trust organization yet
   * (the Access probes run only once it exists); empty otherwise.
   */
  readonly unchecked: readonly string[];

  constructor(missing: readonly string[], unchecked: readonly string[] = []) {
    const later =
      unchecked.length > 0
        ? `\nThe account has no Zero Trust organization yet, so ${unchecked.join("; ")} could not be checked: set up Zero Trust too (https://one.dash.cloudflare.com, a team name and the Free plan).`
        : "";
    super(
      "permissions_missing",
      `The API token is missing ${missing.length === 1 ? "a permission" : `${missing.length} permissions`}: ${missing.join("; ")}.`,
      `Edit the token at ${API_TOKENS_URL}, add the permissions listed above, and try again. Nothing was changed.${later}${[...missing, ...unchecked].some((m) => m.includes("Access:")) ? `\n${COMBINED_PERMISSIONS_NOTE}` : ""}`,
    );
    this.name = "PermissionsMissingError";
    this.missing = missing;
    this.unchecked = unchecked;
  }
}

/** Account features setup needs and cannot create itself. */
export type Prerequisite = "zero-trust-organization" | "workers-dev-subdomain";

/** Something the user must set up in the dashboard first (Zero Trust organization, workers.dev subdomain). */
export class PrerequisiteError extends ProvisionerError {
  readonly problems: readonly string[];
  /** Which account features are missing (empty when the problem is the token itself). */
  readonly missing: readonly Prerequisite[];

  constructor(problems: readonly string[], hint: string, missing: readonly Prerequisite[] = []) {
    super("prerequisite_missing", problems.join(" "), hint);
    this.name = "PrerequisiteError";
    this.problems = problems;
    this.missing = missing;
  }
}

/** Several accounts and no way to ask which one. */
export class AccountChoiceError extends ProvisionerError {
  constructor(message: string, hint: string) {
    super("account_choice", message, hint);
    this.name = "AccountChoiceError";
  }
}

/** wrangler could not bundle the Worker. */
export class BundleError extends ProvisionerError {
  constructor(message: string, hint = "Run `npx wrangler deploy --dry-run` at the repository root to see the full build output.") {
    super("bundle_failed", message, hint);
    this.name = "BundleError";
  }
}

/** A resource exists but does not behave as expected (e.g. the Worker does not answer yet). */
export class VerifyError extends ProvisionerError {
  constructor(message: string, hint: string) {
    super("verify_failed", message, hint);
    this.name = "VerifyError";
  }
}

/** Ctrl-C (or an abort signal) stopped the run between two calls. */
export class InterruptedError extends ProvisionerError {
  constructor(statePath: string) {
    super("interrupted", "Interrupted.", `Progress is saved in ${statePath}; run the same command again to continue where it stopped.`);
    this.name = "InterruptedError";
  }
}

/** Another run holds the state file's lock. */
export class LockedError extends ProvisionerError {
  constructor(lockPath: string, pid: number) {
    super(
      "locked",
      `Another provisioner run (pid ${pid}) is using this state file.`,
      `Wait for it to finish. If no such run exists, delete ${lockPath}.`,
    );
    this.name = "LockedError";
  }
}

/** A command needs a completed setup first. */
export class NotSetUpError extends ProvisionerError {
  constructor(what: string, statePath: string) {
    super(
      "not_set_up",
      `${what} is not set up yet (nothing recorded in ${statePath}).`,
      "Run `setup` first, or point --state at the right file.",
    );
    this.name = "NotSetUpError";
  }
}
