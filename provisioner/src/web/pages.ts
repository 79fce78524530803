/**
 * From the state file, the session and the current run to what a screen shows: which wizard step
 * is current (resuming from the state after a reload or a restart), and the models the views take.
 */
import type { Context } from "hono";
import { clientConfigs } from "../connect";
import { homeSideWays } from "../home-side";
import { loadState } from "../state/files";
import { completedSteps, isSetUp } from "../state/progress";
import type { ProvisionState } from "../state/state";
import type { RunBoard, RunKind } from "./runs";
import type { Session } from "./security/sessions";
import type { WizardSettings } from "./operations";
import type { FormEcho } from "./views/fields";
import { GRANTS_ANCHOR } from "./views/grants";
import type { WizardModel } from "./views/wizard";

/** The step to show: step 1 until this session verified a token, else the first step not done. */
function currentStep(session: Session, state: ProvisionState): number {
  if (isSetUp(state)) return 6;
  if (!session.verified) return 1;
  return completedSteps(state) + 1;
}

export async function wizardModel(session: Session, board: RunBoard, settings: WizardSettings, echo?: FormEcho): Promise<WizardModel> {
  const state = (await loadState(settings.statePath)).state;
  const run = board.current?.kind === "setup" ? board.current : undefined;
  const step = run?.status === "running" && run.step ? run.step : currentStep(session, state);
  const done = completedSteps(state);
  const url = state.worker?.url;
  return {
    step,
    state,
    csrf: session.csrf,
    run,
    echo,
    checklist: session.checklist,
    hasToken: session.apiToken !== undefined,
    subdomain: session.verified?.workersSubdomain ?? state.worker?.subdomain,
    accountName: session.verified?.accountName ?? state.accountName,
    resumeAt: step === 1 && !session.verified && done > 0 && !isSetUp(state) ? done + 1 : undefined,
    connect:
      step === 6 && url
        ? { configs: clientConfigs(url), homeSide: homeSideWays(settings.root, settings.envFile), envFile: settings.envFile, gatewayHost: state.gateway.host }
        : undefined,
  };
}

/** The grants panel's address on the status page. */
export const GRANTS_PANEL = `/#${GRANTS_ANCHOR}`;

/** The screen a run belongs to: the wizard, the grants panel, or the status page. */
export function pageOfRun(kind: RunKind | undefined): string {
  if (kind === "setup") return "/wizard";
  return kind === "grants-list" || kind === "grants-revoke" ? GRANTS_PANEL : "/";
}

/** Form fields as plain strings (files are ignored). */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === "string") out[key] = value;
  return out;
}
