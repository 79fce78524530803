/**
 * Step 5's second job: the Worker's seven secrets, pushed in one operation once the Access
 * application exists (its client id and secret are two of them), and only when something changed:
 * a new app, values that differ from the last push (by fingerprint), or a secret missing on the
 * Worker.
 */
import type { RunContext } from "../run/context";
import { secretsFingerprint, workerSecretValues } from "../worker-secrets";

/** True when the secrets must be pushed; `newApp` when the Access app is created or replaced in this run. */
export async function secretsNeedPush(ctx: RunContext, accountId: string, newApp: boolean): Promise<boolean> {
  if (newApp) return true;
  const secrets = workerSecretValues(ctx.state);
  if (!secrets.ok) return true;
  if (secretsFingerprint(secrets.values) !== ctx.state.secrets?.pushedFingerprint) return true;
  const present = new Set(await ctx.cf.workers.listSecretNames(accountId, ctx.options.names.worker));
  return Object.keys(secrets.values).some((name) => !present.has(name));
}

/** Pushes the seven secrets in one operation and records their fingerprint. */
export async function pushSecrets(ctx: RunContext, accountId: string): Promise<void> {
  const secrets = workerSecretValues(ctx.state);
  if (!secrets.ok) throw new Error(`internal: cannot push secrets, missing ${secrets.missing.join(", ")}`);
  const mode = await ctx.cf.workers.putSecrets(accountId, ctx.options.names.worker, secrets.values);
  (ctx.state.secrets ??= {}).pushedFingerprint = secretsFingerprint(secrets.values);
  await ctx.save();
  const count = Object.keys(secrets.values).length;
  ctx.deps.reporter.line(mode === "bulk" ? `+ set the Worker's ${count} secrets in one operation` : `+ set the Worker's ${count} secrets one by one (the bulk endpoint is not available)`);
}
