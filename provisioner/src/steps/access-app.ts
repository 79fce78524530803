/**
 * Step 5's first job: the Access for SaaS (OIDC) application (redirect `<worker>/callback`, PKCE,
 * scopes openid email profile, refresh tokens for the Worker's re-checks) and its allow policy
 * from --allow. The client secret is returned only when the app is created, so an app whose
 * secret is not in the state is replaced, never silently reused.
 */
import { ACCESS_OIDC_SCOPES, WORKER_PATHS } from "@mcpbox/shared";
import { accessRulesFor, describeAllow } from "../allow";
import type { AccessApp, AccessAppSpec, AccessPolicy } from "../cloudflare/types";
import { VerifyError } from "../errors";
import { accessPolicyNameFor } from "../resource-names";
import { confirmAdoption, markPending, recordCreated } from "../run/adopt";
import type { RunContext } from "../run/context";
import type { AllowRule } from "../state/state";
import { ACCESS_APP_REFRESH, configurableScopes, refreshSettingsDiffer } from "./access-refresh-tokens";

export interface AccessAppPlan {
  spec: AccessAppSpec;
  allow: AllowRule;
  app: AccessApp | undefined;
  /** An existing app to delete first (its client secret is not recoverable). */
  replace: AccessApp | undefined;
  updateApp: boolean;
  policy: AccessPolicy | undefined;
  policyAction: "none" | "create" | "update";
  /** Set when Cloudflare gave the app a new client id and it was created again: its new secret must reach the Worker. */
  recreated: boolean;
}

/** Reads the app and its policy (reads only) and decides what `applyAccessApp` changes. */
export async function findAccessApp(ctx: RunContext, accountId: string, allow: AllowRule): Promise<AccessAppPlan> {
  const spec = appSpec(ctx);
  const plan: AccessAppPlan = { spec, allow, app: undefined, replace: undefined, updateApp: false, policy: undefined, policyAction: "none", recreated: false };
  await findApp(ctx, accountId, plan);
  if (plan.app) {
    plan.updateApp =
      !sameStrings(plan.app.redirectUris, spec.redirectUris) ||
      !sameStrings(plan.app.grantTypes, spec.grantTypes) ||
      !sameStrings(configurableScopes(plan.app.scopes), spec.scopes) ||
      refreshSettingsDiffer(plan.app, spec);
    const policies = await ctx.cf.access.listPolicies(accountId, plan.app.id);
    plan.policy = policies.find((p) => p.id === ctx.state.access?.policyId) ?? policies.find((p) => p.name === policyName(ctx));
    if (plan.policy && ctx.state.access) ctx.state.access.policyId = plan.policy.id;
    if (!plan.policy) plan.policyAction = "create";
    else if (plan.policy.decision !== "allow" || JSON.stringify(plan.policy.include) !== JSON.stringify(accessRulesFor(allow))) plan.policyAction = "update";
  } else {
    plan.policyAction = "create";
  }
  if (ctx.state.access && ctx.facts.authDomain && ctx.state.access.authDomain !== ctx.facts.authDomain) {
    ctx.deps.reporter.line(`the Zero Trust team domain is now ${ctx.facts.authDomain}; the Access URLs will be updated`);
    ctx.state.access.authDomain = ctx.facts.authDomain;
  }
  return plan;
}

/** What `applyAccessApp` will change, one line each. */
export function accessAppWork(plan: AccessAppPlan): string[] {
  const work: string[] = [];
  if (plan.replace) work.push(`replace the Access application "${plan.spec.name}" (its client secret cannot be read back)`);
  if (!plan.app) work.push(`create the Access for SaaS (OIDC) application "${plan.spec.name}"`);
  if (plan.updateApp) work.push(`update the Access application's redirect URI, grants (refresh tokens included) and scopes`);
  if (plan.policyAction !== "none") work.push(`${plan.policyAction} the Access policy: allow ${describeAllow(plan.allow)}`);
  return work;
}

/** Creates, replaces or updates the app and its policy as planned, and records them in the state. */
export async function applyAccessApp(ctx: RunContext, accountId: string, plan: AccessAppPlan): Promise<void> {
  const { spec } = plan;
  if (plan.replace) {
    await ctx.cf.access.deleteApp(accountId, plan.replace.id);
    ctx.deps.reporter.line(`- deleted the Access application ${plan.replace.id} (its client secret was not known)`);
  }
  if (!plan.app) plan.app = await createApp(ctx, accountId, spec);
  else if (plan.updateApp) plan.app = await updateApp(ctx, accountId, plan, plan.app);
  const policySpec = { name: policyName(ctx), include: accessRulesFor(plan.allow) };
  if (plan.policyAction === "create") {
    plan.policy = await ctx.cf.access.createPolicy(accountId, plan.app.id, policySpec);
    ctx.deps.reporter.line(`+ created the Access policy "${policySpec.name}": allow ${describeAllow(plan.allow)}`);
  } else if (plan.policyAction === "update" && plan.policy) {
    plan.policy = await ctx.cf.access.updatePolicy(accountId, plan.app.id, plan.policy.id, policySpec);
    ctx.deps.reporter.line(`~ updated the Access policy "${policySpec.name}": allow ${describeAllow(plan.allow)}`);
  }
  if (ctx.state.access && plan.policy) ctx.state.access.policyId = plan.policy.id;
  ctx.state.allow = plan.allow;
  await ctx.save();
}

/** Warns when Zero Trust has no identity provider: Access would have nobody to sign in with. */
export async function warnWithoutIdentityProvider(ctx: RunContext, accountId: string): Promise<void> {
  const providers = await ctx.cf.access.listIdentityProviders(accountId);
  if (providers.length === 0) {
    ctx.deps.reporter.warn("Zero Trust has no identity provider: sign-ins will loop. Add one (One-time PIN is the simplest) under Zero Trust › Settings › Authentication.");
  }
}

function appSpec(ctx: RunContext): AccessAppSpec {
  const url = ctx.state.worker?.url;
  if (!url) throw new Error("internal: no Worker URL before the Access step");
  return {
    name: ctx.options.names.worker,
    redirectUris: [`${url}${WORKER_PATHS.callback}`],
    scopes: [...ACCESS_OIDC_SCOPES],
    grantTypes: [...ACCESS_APP_REFRESH.grantTypes],
    refreshTokenLifetime: ACCESS_APP_REFRESH.refreshTokenLifetime,
  };
}

function policyName(ctx: RunContext): string {
  return accessPolicyNameFor(ctx.options.names.worker);
}

/** Finds the app by the state's id, else by name; an app whose secret we lack must be replaced. */
async function findApp(ctx: RunContext, accountId: string, plan: AccessAppPlan): Promise<void> {
  const known = ctx.state.access;
  if (known) {
    const app = await ctx.cf.access.getApp(accountId, known.appId);
    if (app) {
      ctx.deps.reporter.line(`✓ Access application "${app.name}" (${app.id})`);
      plan.app = app;
      return;
    }
    ctx.deps.reporter.warn(`the Access application ${known.appId} recorded in the state no longer exists; a new one will be created`);
    delete ctx.state.access;
  }
  if (ctx.facts.nameFree?.has("accessApp")) return;
  const match = (await ctx.cf.access.listApps(accountId)).find((a) => a.name === plan.spec.name && a.type === "saas");
  if (!match) return;
  await confirmAdoption(ctx, "accessApp", "Access application", match, "it will be deleted and created again, because its client secret is shown only once, when it is created");
  plan.replace = match;
}

/**
 * Updates the app from what was read (a PUT resets what it is not sent), then checks that the
 * client id the Worker signs in with survived. Should Cloudflare have issued a new one, the app is
 * created again: the new client secret cannot be read back, and only a create returns it.
 */
async function updateApp(ctx: RunContext, accountId: string, plan: AccessAppPlan, current: AccessApp): Promise<AccessApp> {
  const updated = await ctx.cf.access.updateApp(accountId, current, plan.spec);
  if (updated.clientId === current.clientId) {
    ctx.deps.reporter.line(`~ updated the Access application "${plan.spec.name}" (client id unchanged)`);
    const linked = Array.isArray(updated.raw.policies) && updated.raw.policies.some((p: unknown) => typeof p === "object" && p !== null && (p as { id?: unknown }).id === plan.policy?.id);
    if (plan.policy && !linked) {
      plan.policy = undefined;
      plan.policyAction = "create";
    }
    return updated;
  }
  ctx.deps.reporter.warn(`Cloudflare gave the Access application a new client id while updating it; it is created again so that the Worker gets a client secret that works`);
  await ctx.cf.access.deleteApp(accountId, updated.id);
  delete ctx.state.access;
  await ctx.save();
  plan.policy = undefined;
  plan.policyAction = "create";
  plan.recreated = true;
  return createApp(ctx, accountId, plan.spec);
}

async function createApp(ctx: RunContext, accountId: string, spec: AccessAppSpec): Promise<AccessApp> {
  const authDomain = ctx.facts.authDomain;
  if (!authDomain) throw new Error("internal: no auth domain before the Access step");
  await markPending(ctx, "accessApp", spec.name);
  const app = await ctx.cf.access.createApp(accountId, spec);
  if (!app.clientId || !app.clientSecret) throw new VerifyError("Cloudflare created the Access application but returned no client id or secret.", "Delete the application in the Zero Trust dashboard and run setup again.");
  const { clientId, clientSecret } = app;
  await recordCreated(ctx, () => {
    ctx.state.access = { appId: app.id, appName: spec.name, clientId, clientSecret, authDomain };
  });
  ctx.deps.reporter.line(`+ created the Access application "${spec.name}" (${app.id}); its client secret is kept in ${ctx.options.statePath}`);
  return app;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}
