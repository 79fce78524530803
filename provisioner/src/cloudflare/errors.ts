/**
 * CloudflareApiError: one error type for every failed API call, carrying the API's error codes and
 * a hint a person can act on. Upstream error bodies are summarised, never echoed with secrets.
 */
import { API_TOKENS_URL, COMBINED_PERMISSIONS, LEVELS_PROBES_CANNOT_SEE, type PermissionName } from "./permissions";

/** Describes one API operation, so errors can name what was attempted and which permission it needs. */
export interface ApiOperation {
  /** What the call does, for messages: "create the tunnel". */
  label: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Permission that governs this endpoint (absent for token/account endpoints). */
  permission?: PermissionName;
  /** Safe to repeat after a dropped connection (GET/PUT/DELETE, and writes that set absolute values). */
  idempotent?: boolean;
  /** Which hint applies to code 10007 (not found) on this endpoint. */
  notFound?: "workers-subdomain" | "worker-script";
}

export interface ApiErrorItem {
  code: number;
  message: string;
}

/** Error codes with a meaning the provisioner acts on. */
export const CF_ERROR = {
  /** Authentication error: the token lacks a permission (or is not valid for this account). */
  authentication: 10000,
  /** Workers API "not found": no workers.dev subdomain yet, or no such Worker. */
  workersNotFound: 10007,
  /** Invalid API token. */
  invalidToken: 1000,
  /** No route for this URI (the endpoint does not exist here). */
  noRoute: 7003,
  noRouteForUri: 7000,
  /** A tunnel with this name already exists. */
  tunnelNameTaken: 1013,
  /** A KV namespace with this title already exists. */
  kvTitleTaken: 10014,
  /** KV: no namespace with this id. */
  kvNamespaceNotFound: 10013,
  /** Access (Zero Trust): no object with this id ("access.api.error.not_found"). */
  accessNotFound: 12130,
} as const;

/**
 * Codes that mean "no such object" whatever the HTTP status that carries them: a deleted object
 * is gone, not an API failure.
 */
const NOT_FOUND_CODES: ReadonlySet<number> = new Set([CF_ERROR.workersNotFound, CF_ERROR.kvNamespaceNotFound, CF_ERROR.accessNotFound]);

/** A failed Cloudflare API call. `status` is undefined when no HTTP response arrived. */
export class CloudflareApiError extends Error {
  readonly code = "cloudflare_api" as const;
  readonly status: number | undefined;
  readonly errors: readonly ApiErrorItem[];
  readonly operation: ApiOperation;
  readonly hint: string;

  constructor(operation: ApiOperation, status: number | undefined, errors: readonly ApiErrorItem[], hint?: string) {
    const detail = errors.length > 0 ? errors.map((e) => `${e.message} [code ${e.code}]`).join("; ") : status ? `HTTP ${status}` : "no response";
    super(`Could not ${operation.label}: ${detail}.`);
    this.name = "CloudflareApiError";
    this.status = status;
    this.errors = errors;
    this.operation = operation;
    this.hint = hint ?? hintFor(operation, status, errors);
  }

  /** True when any of the API's error codes equals `code`. */
  hasCode(code: number): boolean {
    return this.errors.some((e) => e.code === code);
  }

  get isNotFound(): boolean {
    return this.status === 404 || this.errors.some((e) => NOT_FOUND_CODES.has(e.code));
  }

  get isPermissionError(): boolean {
    return this.hasCode(CF_ERROR.authentication) || this.status === 403;
  }
}

/** The next step for a person, from the error codes and the operation. */
function hintFor(operation: ApiOperation, status: number | undefined, errors: readonly ApiErrorItem[]): string {
  const codes = new Set(errors.map((e) => e.code));
  if (codes.has(CF_ERROR.authentication) || status === 403) {
    return operation.permission ? missingPermissionHint(operation, operation.permission) : `The API token is not allowed to do this. Check it at ${API_TOKENS_URL}.`;
  }
  if (codes.has(CF_ERROR.workersNotFound) && operation.notFound === "workers-subdomain") {
    return "This account has no workers.dev subdomain yet. Open Workers & Pages in the Cloudflare dashboard once (it offers to create one), then try again.";
  }
  if (codes.has(CF_ERROR.workersNotFound) && operation.notFound === "worker-script") {
    return "The Worker does not exist (any more). Run `setup` to deploy it again.";
  }
  if (codes.has(CF_ERROR.invalidToken) || status === 401) {
    return `The API token is not valid (revoked, expired, or mistyped). Create one at ${API_TOKENS_URL} and pass it in CLOUDFLARE_API_TOKEN.`;
  }
  if (status === 429) return "Cloudflare is rate-limiting this token. Wait a minute and try again; completed steps are not repeated.";
  if (status === undefined) return "Could not reach the Cloudflare API. Check the network (and CLOUDFLARE_API_BASE_URL if set), then try again; completed steps are not repeated.";
  if (status >= 500) return "Cloudflare answered with a server error. Run the command again in a moment; completed steps are not repeated.";
  return "Run the command again after fixing the cause above; completed steps are not repeated.";
}

/**
 * A refused call names the permission and level it needs. A refused write also says why the
 * checks before the first write let it through: they read, and a read works with a lower level.
 */
function missingPermissionHint(operation: ApiOperation, permission: PermissionName): string {
  const combined = COMBINED_PERMISSIONS[permission];
  const also = combined ? ` (the combined "${combined}" works too)` : "";
  const lower = LEVELS_PROBES_CANNOT_SEE[permission];
  const why =
    operation.method !== "GET" && lower
      ? ` The checks before the first write only read, so they could not tell that the token has ${lower} where this write needs the level named above.`
      : "";
  return `The API token lacks the permission "${permission}"${also}.${why} Edit the token at ${API_TOKENS_URL}, give it that permission, and try again; completed steps are not repeated.`;
}
