/**
 * Step 5: Cloudflare Access, then what the Worker needs from it. Three jobs, each in its own
 * module: the Access for SaaS application and its allow policy (access-app.ts), all seven Worker
 * secrets in one operation (worker-secrets-push.ts), and a live check of the Worker
 * (worker-live-check.ts). This module only orders them as one step of the setup.
 */
import type { AllowRule } from "../state/state";
import { requireAccount } from "./account";
import { accessAppWork, applyAccessApp, findAccessApp, warnWithoutIdentityProvider, type AccessAppPlan } from "./access-app";
import { requireAllow } from "./who-may-sign-in";
import { checkWorkerLive } from "./worker-live-check";
import { pushSecrets, secretsNeedPush } from "./worker-secrets-push";
import type { Step, StepPlan } from "./step";

interface AccessPlan extends StepPlan {
  allow: AllowRule;
  access: AccessAppPlan;
  pushSecrets: boolean;
}

export const accessStep: Step<AccessPlan> = {
  name: "Cloudflare Access",

  async find(ctx) {
    const accountId = requireAccount(ctx);
    const allow = requireAllow(ctx);
    const access = await findAccessApp(ctx, accountId, allow);
    const push = await secretsNeedPush(ctx, accountId, !access.app || access.replace !== undefined);
    const work = accessAppWork(access);
    if (push) work.push("set the Worker's seven secrets in one operation");
    return { work, allow, access, pushSecrets: push };
  },

  async create(ctx, plan) {
    const accountId = requireAccount(ctx);
    await applyAccessApp(ctx, accountId, plan.access);
    if (plan.pushSecrets || plan.access.recreated) await pushSecrets(ctx, accountId);
  },

  async verify(ctx, plan) {
    const accountId = requireAccount(ctx);
    ctx.state.allow = plan.allow;
    await warnWithoutIdentityProvider(ctx, accountId);
    await checkWorkerLive(ctx);
  },
};
