/**
 * `setup`: the six steps, in order, then a summary. Idempotent (a re-run on a complete setup sends
 * no writes and says so) and resumable (the state is saved after every step and every create).
 */
import { clientConfigs, type ClientConfigs } from "../connect";
import { openContext, type ProvisionOptions, type RunDeps } from "../run/context";
import { tokenStep } from "../steps/01-token";
import { tunnelStep } from "../steps/02-tunnel";
import { vpcServiceStep } from "../steps/03-vpc-service";
import { workerStep } from "../steps/04-worker";
import { accessStep } from "../steps/05-access";
import { connectStep } from "../steps/06-connect";
import { runSteps, type Step, type StepPlan, type StepReport } from "../steps/step";

/** The six steps of `setup`, in order. */
export const SETUP_STEPS: ReadonlyArray<Step<StepPlan>> = [tokenStep, tunnelStep, vpcServiceStep, workerStep, accessStep, connectStep];

/** What step 1 found out about the token and the account. */
export interface AccountChecks {
  accountId: string;
  accountName: string | undefined;
  tokenOwner: "user" | "account" | undefined;
  /** The Zero Trust team domain, e.g. `team.cloudflareaccess.com`. */
  authDomain: string | undefined;
  workersSubdomain: string | undefined;
}

export interface SetupResult {
  command: "setup";
  ok: true;
  /** How many of the six steps ran (all of them unless `through` stopped earlier). */
  stepsRun: number;
  checks: AccountChecks;
  /** False when everything was already in place. */
  changed: boolean;
  api: { requests: number; writes: number };
  steps: StepReport[];
  accountId: string;
  workerUrl: string;
  mcpUrl: string;
  clients: ClientConfigs;
  statePath: string;
  envFile: string | undefined;
}

/**
 * Runs the setup, or its first `through` steps (the web wizard's screens: earlier steps run again,
 * find everything in place and write nothing). Throws ProvisionerError / CloudflareApiError with
 * a hint on failure.
 */
export async function runSetup(options: ProvisionOptions, deps: Partial<RunDeps> = {}, through = SETUP_STEPS.length): Promise<SetupResult> {
  const { ctx, release } = await openContext(options, deps, { lock: true });
  try {
    const planned = SETUP_STEPS.slice(0, through);
    ctx.facts.stopsBeforeAccess = !planned.includes(accessStep);
    const steps = await runSteps(ctx, planned, SETUP_STEPS.length);
    const workerUrl = ctx.state.worker?.url ?? "";
    const clients = clientConfigs(workerUrl);
    return {
      command: "setup",
      ok: true,
      stepsRun: steps.length,
      checks: {
        accountId: ctx.state.accountId ?? "",
        accountName: ctx.state.accountName,
        tokenOwner: ctx.facts.tokenOwner,
        authDomain: ctx.facts.authDomain,
        workersSubdomain: ctx.facts.workersSubdomain,
      },
      changed: steps.some((s) => s.changes.length > 0),
      api: { ...ctx.cf.stats },
      steps,
      accountId: ctx.state.accountId ?? "",
      workerUrl,
      mcpUrl: clients.mcpUrl,
      clients,
      statePath: ctx.options.statePath,
      envFile: ctx.options.envFile,
    };
  } finally {
    await release();
  }
}
