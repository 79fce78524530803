/**
 * `secrets sync` (also `--set-secrets`): pushes every secret the state holds to the Worker in one
 * operation, and refreshes MCPBOX_SERVICE_TOKEN in the env file, so the Worker and the gateway agree.
 */
import { ENV_FILE_KEYS, WORKER_SECRET_NAMES } from "@mcpbox/shared";
import { NotSetUpError } from "../errors";
import { openContext, type ProvisionOptions, type RunContext, type RunDeps } from "../run/context";
import { updateEnvFile } from "../state/env-file";
import { envServiceTokenValue, secretsFingerprint, workerSecretValues } from "../worker-secrets";
import { stateAccount } from "./common";

export interface SecretsSyncResult {
  command: "secrets sync";
  ok: true;
  /** Names pushed (never values). */
  secrets: string[];
  mode: "bulk" | "one-by-one";
  envFileUpdated: boolean;
  api: { requests: number; writes: number };
}

export async function runSecretsSync(options: ProvisionOptions, deps: Partial<RunDeps> = {}): Promise<SecretsSyncResult> {
  const { ctx, release } = await openContext(options, deps, { lock: true });
  try {
    const { mode, envFileUpdated } = await syncSecrets(ctx);
    return { command: "secrets sync", ok: true, secrets: [...WORKER_SECRET_NAMES], mode, envFileUpdated, api: { ...ctx.cf.stats } };
  } finally {
    await release();
  }
}

/** Pushes all secrets (one operation) and updates the env file; shared with rotate-service-token. */
export async function syncSecrets(ctx: RunContext, pushToWorker = true): Promise<{ mode: "bulk" | "one-by-one"; envFileUpdated: boolean }> {
  const accountId = stateAccount(ctx, "The Worker");
  const worker = ctx.state.worker;
  const secrets = workerSecretValues(ctx.state);
  if (!worker || !secrets.ok)
    throw new NotSetUpError(`The Worker's secrets (${secrets.ok ? "Worker" : secrets.missing.join(", ")})`, ctx.options.statePath);
  let envFileUpdated = false;
  const envValue = envServiceTokenValue(ctx.state);
  if (envValue) {
    envFileUpdated = await updateEnvFile(ctx.options.envFile, { [ENV_FILE_KEYS.serviceToken]: envValue });
    ctx.deps.reporter.line(
      envFileUpdated
        ? `+ wrote ${ENV_FILE_KEYS.serviceToken} to ${ctx.options.envFile}`
        : `✓ ${ctx.options.envFile} already has the service token`,
    );
  }
  let mode: "bulk" | "one-by-one" = "bulk";
  if (pushToWorker) {
    mode = await ctx.deps.reporter.wait(`setting the Worker's ${WORKER_SECRET_NAMES.length} secrets`, () =>
      ctx.cf.workers.putSecrets(accountId, worker.name, secrets.values),
    );
    (ctx.state.secrets ??= {}).pushedFingerprint = secretsFingerprint(secrets.values);
    await ctx.save();
    ctx.deps.reporter.line(
      `+ set ${WORKER_SECRET_NAMES.join(", ")} on the Worker "${worker.name}"${mode === "bulk" ? " in one operation" : " one by one (the bulk endpoint is not available)"}`,
    );
  }
  return { mode, envFileUpdated };
}
