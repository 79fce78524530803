/**
 * Errors described for a person, in one place for every interface: what happened, what to do
 * next, the API's own error codes, and the missing token permissions by dashboard name. Unknown
 * errors become a generic report; stack traces and secrets never appear in one.
 */
import { CloudflareApiError } from "../cloudflare/errors";
import { PermissionsMissingError, ProvisionerError } from "../errors";

export interface ErrorReport {
  code: string;
  message: string;
  hint: string | undefined;
  /** Cloudflare's error codes, when the API refused. */
  apiErrors?: Array<{ code: number; message: string }>;
  /** Missing token permissions, by dashboard name. */
  missingPermissions?: string[];
}

/** Describes any thrown value for a person (and for --json). */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof ProvisionerError) {
    const report: ErrorReport = { code: error.code, message: error.message, hint: error.hint };
    if (error instanceof PermissionsMissingError) report.missingPermissions = [...error.missing];
    return report;
  }
  if (error instanceof CloudflareApiError) {
    return { code: error.code, message: error.message, hint: error.hint, apiErrors: [...error.errors] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: "unexpected",
    message: `Unexpected error: ${message}`,
    hint: "Run the command again; if it keeps failing, report it with the output above.",
  };
}
