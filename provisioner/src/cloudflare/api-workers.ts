/**
 * Workers: script upload (a hand-built multipart request; the SDK's 7.x upload helper is reported
 * broken), workers.dev routes, and secrets (all at once through secrets-bulk, falling back to one
 * PUT per secret only where that endpoint does not exist).
 */
import type { CloudflareClient } from "./client";
import { CF_ERROR, CloudflareApiError, type ApiOperation } from "./errors";
import { PERMISSIONS } from "./permissions";
import type { WorkerScript } from "./types";

const SCRIPTS = PERMISSIONS.workersScripts;

/** How the secrets reached the Worker. */
export type SecretsWriteMode = "bulk" | "one-by-one";

export class WorkersApi {
  constructor(private readonly client: CloudflareClient) {}

  /** The account's workers.dev subdomain (`<subdomain>.workers.dev`); fails with 10007 when none exists. */
  async getAccountSubdomain(accountId: string): Promise<string> {
    const result = await this.client.call(
      { label: "read the account's workers.dev subdomain", method: "GET", permission: SCRIPTS, notFound: "workers-subdomain" },
      () => this.client.sdk.workers.subdomains.get({ account_id: accountId }),
    );
    return result.subdomain ?? "";
  }

  async listScripts(accountId: string): Promise<WorkerScript[]> {
    const items = await this.client.listOnce({ label: "list Workers", method: "GET", permission: SCRIPTS }, () =>
      this.client.sdk.workers.scripts.list({ account_id: accountId }),
    );
    return items.map((s) => ({ id: s.id ?? "", modifiedOn: s.modified_on }));
  }

  /** Create-or-replace upload of a module Worker. `form` comes from buildWorkerUploadForm(). */
  async uploadScript(accountId: string, scriptName: string, form: FormData): Promise<WorkerScript> {
    const op: ApiOperation = { label: `upload the Worker "${scriptName}"`, method: "PUT", permission: SCRIPTS, idempotent: true };
    const result = await this.client.raw<{ id?: unknown; modified_on?: unknown }>(op, scriptPath(accountId, scriptName), form);
    return {
      id: typeof result?.id === "string" ? result.id : scriptName,
      modifiedOn: typeof result?.modified_on === "string" ? result.modified_on : undefined,
    };
  }

  async deleteScript(accountId: string, scriptName: string): Promise<void> {
    await this.client.call(
      { label: `delete the Worker "${scriptName}"`, method: "DELETE", permission: SCRIPTS, notFound: "worker-script" },
      () => this.client.sdk.workers.scripts.delete(scriptName, { account_id: accountId, force: true }),
    );
  }

  /** Whether the Worker answers on `<name>.<subdomain>.workers.dev`. */
  async isWorkersDevEnabled(accountId: string, scriptName: string): Promise<boolean> {
    const result = await this.client.call(
      { label: "read the Worker's workers.dev route", method: "GET", permission: SCRIPTS, notFound: "worker-script" },
      () => this.client.sdk.workers.scripts.subdomain.get(scriptName, { account_id: accountId }),
    );
    return result.enabled === true;
  }

  async enableWorkersDev(accountId: string, scriptName: string): Promise<void> {
    await this.client.call(
      { label: "enable the Worker's workers.dev route", method: "POST", permission: SCRIPTS, idempotent: true, notFound: "worker-script" },
      () => this.client.sdk.workers.scripts.subdomain.create(scriptName, { account_id: accountId, enabled: true }),
    );
  }

  /** Names of the secrets bound to the Worker (the API never returns values). */
  async listSecretNames(accountId: string, scriptName: string): Promise<string[]> {
    const items = await this.client.listOnce(
      { label: "list the Worker's secrets", method: "GET", permission: SCRIPTS, notFound: "worker-script" },
      () => this.client.sdk.workers.scripts.secrets.list(scriptName, { account_id: accountId }),
    );
    return items.map((s) => s.name ?? "").filter((n) => n.length > 0);
  }

  /**
   * Sets every given secret in one operation (PATCH secrets-bulk). Only when that endpoint does not
   * exist (no route / method not allowed) does it fall back to one PUT per secret.
   */
  async putSecrets(accountId: string, scriptName: string, secrets: Readonly<Record<string, string>>): Promise<SecretsWriteMode> {
    const body = Object.fromEntries(Object.entries(secrets).map(([name, text]) => [name, { name, text, type: "secret_text" as const }]));
    try {
      await this.client.call(
        { label: "set the Worker's secrets", method: "PATCH", permission: SCRIPTS, idempotent: true, notFound: "worker-script" },
        () => this.client.sdk.workers.scripts.secrets.bulkUpdate(scriptName, { account_id: accountId, secrets: body }),
      );
      return "bulk";
    } catch (error) {
      if (!(error instanceof CloudflareApiError) || !isMissingEndpoint(error)) throw error;
    }
    for (const [name, text] of Object.entries(secrets)) {
      await this.client.call(
        { label: `set the Worker secret ${name}`, method: "PUT", permission: SCRIPTS, notFound: "worker-script" },
        () => this.client.sdk.workers.scripts.secrets.update(scriptName, { account_id: accountId, name, text, type: "secret_text" }),
      );
    }
    return "one-by-one";
  }
}

function scriptPath(accountId: string, scriptName: string): string {
  return `/accounts/${encodeURIComponent(accountId)}/workers/scripts/${encodeURIComponent(scriptName)}`;
}

/** The endpoint itself is unavailable (as opposed to the Worker being missing, which is 10007). */
function isMissingEndpoint(error: CloudflareApiError): boolean {
  if (error.status === 405 || error.status === 501) return true;
  return error.status === 404 && (error.hasCode(CF_ERROR.noRoute) || error.hasCode(CF_ERROR.noRouteForUri));
}
