/**
 * Step 4: the Worker. A KV namespace whose title is unique to this install, the bundle from
 * `wrangler deploy --dry-run`, the upload with the OAUTH_KV and MCPBOX_TUNNEL bindings (secrets kept
 * on re-deploys) and the plain-text variables from worker-vars.ts, the workers.dev route, and the
 * service token and email allowlist in the env file. An unchanged upload is not sent again.
 */
import { COOKIE_ENCRYPTION_KEY_BYTES, ENV_FILE_KEYS, SERVICE_TOKEN_BYTES, WORKER_BINDINGS } from "@mcpbox/shared";
import { emailAllowlistFor } from "../allow";
import type { WorkerBundle } from "../bundle/wrangler-bundle";
import type { KvNamespace } from "../cloudflare/types";
import { buildWorkerUploadForm, uploadFingerprint, type WorkerBinding, type WorkerUpload } from "../cloudflare/worker-upload";
import { confirmAdoption, markPending, recordCreated } from "../run/adopt";
import type { RunContext } from "../run/context";
import { readEnvFile, updateEnvFile } from "../state/env-file";
import { envServiceTokenValue } from "../worker-secrets";
import { kvTitleFor } from "../resource-names";
import { requireAccount } from "./account";
import { runAllow } from "./who-may-sign-in";
import { workerVars } from "./worker-vars";
import type { Step, StepPlan } from "./step";

interface WorkerPlan extends StepPlan {
  kv: KvNamespace | undefined;
  bundle: WorkerBundle;
  scriptExists: boolean;
  needsUpload: boolean;
  needsWorkersDev: boolean;
  needsLocalSecrets: boolean;
  needsEnvFile: boolean;
}

/**
 * What the env file lacks: MCPBOX_SERVICE_TOKEN (`current[,previous]`), and MCPBOX_ALLOWED_EMAILS
 * derived from `--allow emails:…|domain:…` so the gateway checks the same people Access lets in.
 * With `--allow everyone` the file's own value is left alone (and a narrower one is pointed out).
 */
async function envFileUpdates(ctx: RunContext, { tokenPending, report }: { tokenPending: boolean; report: boolean }): Promise<Record<string, string>> {
  const env = await readEnvFile(ctx.options.envFile);
  const updates: Record<string, string> = {};
  const token = envServiceTokenValue(ctx.state);
  if (!tokenPending && token && env.get(ENV_FILE_KEYS.serviceToken) !== token) updates[ENV_FILE_KEYS.serviceToken] = token;
  // Before anyone chose who may sign in (the wizard's Worker screen), the gateway's list waits for it too.
  const allow = runAllow(ctx);
  if (!allow) return updates;
  const allowlist = emailAllowlistFor(allow);
  if (allow.kind !== "everyone" && env.get(ENV_FILE_KEYS.allowedEmails) !== allowlist) updates[ENV_FILE_KEYS.allowedEmails] = allowlist;
  const kept = env.get(ENV_FILE_KEYS.allowedEmails);
  if (allow.kind === "everyone" && kept && report) {
    ctx.deps.reporter.warn(`${ctx.options.envFile} still limits the gateway to ${ENV_FILE_KEYS.allowedEmails}=${kept}, while Access lets everyone sign in; edit it if that is not what you want`);
  }
  return updates;
}

/** `https://<worker>.<subdomain>.workers.dev` */
function workerUrlFor(workerName: string, subdomain: string): string {
  return `https://${workerName}.${subdomain}.workers.dev`;
}

export const workerStep: Step<WorkerPlan> = {
  name: "Worker",

  async find(ctx) {
    const accountId = requireAccount(ctx);
    const name = ctx.options.names.worker;
    const kv = await findKv(ctx, accountId, kvTitleFor(name));
    const bundle = await ctx.deps.reporter
      .wait("bundling the Worker with wrangler", () => ctx.deps.bundler())
      .catch((error: unknown) => {
        // Ctrl-C reaches wrangler too; report the interruption rather than a failed build.
        ctx.checkAbort();
        throw error;
      });
    const scriptExists = ctx.facts.nameFree?.has("worker") ? false : (await ctx.cf.workers.listScripts(accountId)).some((s) => s.id === name);
    if (scriptExists && !ctx.state.worker) {
      await confirmAdoption(ctx, "worker", "Worker", { id: name, name }, "its code, bindings and secrets will be replaced");
      ctx.state.worker = { name };
      delete ctx.state.pending;
    } else if (!scriptExists && ctx.state.worker?.deployedFingerprint) {
      ctx.deps.reporter.warn(`the Worker "${name}" recorded in the state no longer exists; it will be deployed again`);
      delete ctx.state.worker.deployedFingerprint;
      delete ctx.state.secrets?.pushedFingerprint;
    }
    const needsLocalSecrets = !ctx.state.secrets?.serviceToken || !ctx.state.secrets.cookieEncryptionKey;
    const fingerprint = kv ? uploadFingerprint(composeUpload(ctx, bundle, kv.id, false)) : undefined;
    const needsUpload = !scriptExists || fingerprint === undefined || fingerprint !== ctx.state.worker?.deployedFingerprint;
    const needsWorkersDev = !scriptExists || !(await ctx.cf.workers.isWorkersDevEnabled(accountId, name));
    const envUpdates = await envFileUpdates(ctx, { tokenPending: needsLocalSecrets, report: true });
    const needsEnvFile = Object.keys(envUpdates).length > 0 || needsLocalSecrets;
    if (scriptExists && !needsUpload) ctx.deps.reporter.line(`✓ Worker "${name}" runs the current bundle`);
    const work: string[] = [];
    if (!kv) work.push(`create the KV namespace "${kvTitleFor(name)}"`);
    if (needsLocalSecrets) work.push("generate the service token and the cookie encryption key");
    if (needsUpload) work.push(scriptExists ? `upload the changed Worker "${name}"` : `upload the Worker "${name}"`);
    if (needsWorkersDev) work.push(`enable ${name} on workers.dev`);
    const envKeys = [...(needsLocalSecrets ? [ENV_FILE_KEYS.serviceToken] : []), ...Object.keys(envUpdates)];
    if (needsEnvFile) work.push(`write ${envKeys.filter((k, i, all) => all.indexOf(k) === i).join(" and ")} to ${ctx.options.envFile}`);
    return { work, kv, bundle, scriptExists, needsUpload, needsWorkersDev, needsLocalSecrets, needsEnvFile };
  },

  async create(ctx, plan) {
    const accountId = requireAccount(ctx);
    const name = ctx.options.names.worker;
    if (!plan.kv) {
      const title = kvTitleFor(name);
      await markPending(ctx, "kvNamespace", title);
      const created = await ctx.cf.storage.createKvNamespace(accountId, title);
      await recordCreated(ctx, () => {
        ctx.state.kvNamespace = { id: created.id, title: created.title || title };
      });
      ctx.deps.reporter.line(`+ created the KV namespace "${title}" (${created.id})`);
      plan.kv = created;
    }
    if (plan.needsLocalSecrets) {
      const secrets = (ctx.state.secrets ??= {});
      secrets.serviceToken ??= ctx.deps.randomBytes(SERVICE_TOKEN_BYTES).toString("hex");
      secrets.cookieEncryptionKey ??= ctx.deps.randomBytes(COOKIE_ENCRYPTION_KEY_BYTES).toString("hex");
      await ctx.save();
      ctx.deps.reporter.line(`+ generated the service token and the cookie encryption key (kept in ${ctx.options.statePath})`);
    }
    if (plan.needsUpload) {
      const upload = composeUpload(ctx, plan.bundle, plan.kv.id, plan.scriptExists);
      if (!ctx.state.worker) await markPending(ctx, "worker", name);
      await ctx.deps.reporter.wait(`uploading the Worker "${name}"`, () => ctx.cf.workers.uploadScript(accountId, name, buildWorkerUploadForm(upload)));
      await recordCreated(ctx, () => {
        ctx.state.worker = { ...ctx.state.worker, name, deployedFingerprint: uploadFingerprint(upload) };
      });
      ctx.deps.reporter.line(`+ uploaded the Worker "${name}" with ${WORKER_BINDINGS.oauthKv}, ${WORKER_BINDINGS.tunnel} and its rate limiters`);
    }
    if (plan.needsWorkersDev) {
      await ctx.cf.workers.enableWorkersDev(accountId, name);
      ctx.deps.reporter.line(`+ enabled ${name} on workers.dev`);
    }
    if (plan.needsEnvFile) {
      const updates = await envFileUpdates(ctx, { tokenPending: false, report: false });
      if (await updateEnvFile(ctx.options.envFile, updates)) {
        ctx.deps.reporter.line(`+ wrote ${Object.keys(updates).join(" and ")} to ${ctx.options.envFile} (mode 0600)`);
      }
    }
  },

  async verify(ctx) {
    const subdomain = ctx.facts.workersSubdomain;
    const worker = ctx.state.worker;
    if (!worker || !subdomain) return;
    const url = workerUrlFor(worker.name, subdomain);
    if (worker.url !== url || worker.subdomain !== subdomain) {
      worker.url = url;
      worker.subdomain = subdomain;
    }
    ctx.deps.reporter.line(`✓ Worker at ${url}`);
  },
};

/** The upload for this bundle: modules, compatibility settings, bindings and plain-text vars. */
function composeUpload(ctx: RunContext, bundle: WorkerBundle, kvId: string, keepSecrets: boolean): WorkerUpload {
  const serviceId = ctx.state.vpcService?.id;
  if (!serviceId) throw new Error("internal: no VPC service before the Worker step");
  const vars = workerVars(ctx, bundle.vars);
  const bindings: WorkerBinding[] = [
    { type: "kv_namespace", name: WORKER_BINDINGS.oauthKv, namespace_id: kvId },
    { type: "vpc_service", name: WORKER_BINDINGS.tunnel, service_id: serviceId },
    ...bundle.rateLimits.map(({ name, namespace_id, simple }): WorkerBinding => ({ type: "ratelimit", name, namespace_id, simple: { ...simple } })),
    ...Object.keys(vars)
      .sort()
      .map((key): WorkerBinding => ({ type: "plain_text", name: key, text: vars[key] ?? "" })),
  ];
  return {
    metadata: {
      main_module: bundle.mainModule,
      compatibility_date: bundle.compatibilityDate,
      compatibility_flags: bundle.compatibilityFlags,
      bindings,
      ...(keepSecrets ? { keep_bindings: ["secret_text"] } : {}),
    },
    modules: bundle.modules,
  };
}

async function findKv(ctx: RunContext, accountId: string, title: string): Promise<KvNamespace | undefined> {
  const known = ctx.state.kvNamespace;
  if (known) {
    const namespace = await ctx.cf.storage.getKvNamespace(accountId, known.id);
    if (namespace) {
      ctx.deps.reporter.line(`✓ KV namespace "${namespace.title}" (${namespace.id})`);
      return namespace;
    }
    ctx.deps.reporter.warn(`the KV namespace ${known.id} recorded in the state no longer exists; a new one will be created (OAuth grants start empty)`);
    delete ctx.state.kvNamespace;
  }
  if (ctx.facts.nameFree?.has("kvNamespace")) return undefined;
  const match = (await ctx.cf.storage.listKvNamespaces(accountId)).find((n) => n.title === title);
  if (!match) return undefined;
  await confirmAdoption(ctx, "kvNamespace", "KV namespace", { id: match.id, name: match.title });
  ctx.state.kvNamespace = { id: match.id, title: match.title };
  delete ctx.state.pending;
  ctx.deps.reporter.line(`✓ KV namespace "${match.title}" (${match.id})`);
  return match;
}
