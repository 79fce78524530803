/**
 * What the page's buttons start, expressed as library calls: setup through a given step, a status
 * and doctor check, secrets sync, rotation, teardown. Options come from the wizard's settings, the
 * session's API token and the form; the library does all the Cloudflare work.
 */
import type { Bundler } from "../bundle/wrangler-bundle";
import { createWranglerBundler } from "../bundle/wrangler-bundle";
import { runDoctor } from "../commands/doctor";
import { runRotateServiceToken } from "../commands/rotate";
import { runSecretsSync } from "../commands/secrets-sync";
import { runSetup } from "../commands/setup";
import { runStatus } from "../commands/status";
import { runTeardown } from "../commands/teardown";
import type { ProvisionOptions, RunDeps } from "../run/context";
import type { Reporter } from "../run/reporter";
import type { AllowRule } from "../state/state";
import { tokenChecklist } from "../token-checklist";
import type { RunBoard, RunIo, RunKind, Run } from "./runs";
import type { Session } from "./security/sessions";
import type { LastCheck } from "./views/status";

export interface WizardSettings {
  statePath: string;
  envFile: string;
  apiBaseUrl: string;
  /** Environment for wrangler, with every Cloudflare credential removed. */
  childEnv: Readonly<Record<string, string | undefined>>;
  /** The repository root: which home-side commands it offers. */
  root: string;
  /** Dependency overrides (tests: the fake edge, a fixed bundle, no-wait sleeps). */
  deps: Partial<RunDeps>;
}

/** What the forms of steps 2-5 may set. */
export interface StepInputs {
  tunnelName?: string;
  gatewayHost?: string;
  gatewayPort?: number;
  workerName?: string;
  allow?: AllowRule;
}

export interface Operations {
  setup(session: Session, step: number, inputs: StepInputs): Run;
  check(session: Session): Run;
  action(session: Session, kind: Exclude<RunKind, "setup" | "check">): Run;
  /** The result of the last check in this process. */
  lastCheck: LastCheck | undefined;
}

const BUNDLE_REUSE_MS = 10 * 60_000;

export function createOperations(board: RunBoard, settings: WizardSettings): Operations {
  const bundler = reuseBundle(settings.deps.bundler ?? createWranglerBundler({ env: settings.childEnv }), () => (settings.deps.now ?? (() => new Date()))().getTime());
  const options = (session: Session, extra: Partial<ProvisionOptions> = {}): ProvisionOptions => ({
    apiToken: session.apiToken ?? "",
    apiBaseUrl: settings.apiBaseUrl,
    statePath: settings.statePath,
    envFile: settings.envFile,
    yes: false,
    adopt: false,
    verify: true,
    ...extra,
  });
  const deps = (io: RunIo, reporter: Reporter = io.reporter): Partial<RunDeps> => ({ ...settings.deps, childEnv: settings.childEnv, bundler, reporter, prompter: io.prompter });

  const ops: Operations = {
    lastCheck: undefined,
    setup: (session, step, inputs) =>
      board.start("setup", step, async (io) => {
        // Which step was running when it stopped: a failure in step 1 means the token is not verified.
        let reached = 0;
        const reporter: Reporter = { ...io.reporter, step: (n, total, title) => ((reached = n), io.reporter.step(n, total, title)) };
        try {
          const result = await runSetup(options(session, inputs), deps(io, reporter), step);
          session.verified = result.checks;
          if (step === 1) session.checklist = tokenChecklist({ ok: true, checks: result.checks });
          return result;
        } catch (error) {
          if (reached <= 1) {
            session.verified = undefined;
            const checklist = tokenChecklist({ ok: false, error });
            session.checklist = checklist.length > 0 ? checklist : undefined;
          }
          throw error;
        }
      }),
    check: (session) =>
      board.start("check", undefined, async (io) => {
        const status = await runStatus(options(session), deps(io));
        const doctor = await runDoctor(options(session), deps(io));
        ops.lastCheck = { at: (settings.deps.now ?? (() => new Date()))(), status, doctor };
        return ops.lastCheck;
      }),
    action: (session, kind) =>
      board.start(kind, undefined, async (io) => {
        switch (kind) {
          case "secrets-sync":
            return runSecretsSync(options(session), deps(io));
          case "rotate-start":
            return runRotateServiceToken(options(session), deps(io));
          case "rotate-finish":
            return runRotateServiceToken({ ...options(session), finish: true }, deps(io));
          case "teardown":
            return runTeardown(options(session), deps(io));
        }
      }),
  };
  return ops;
}

/**
 * Each screen runs the earlier steps again, step 4 included, so one bundle is reused for a while
 * instead of running wrangler on every screen. A failed build is not kept.
 */
function reuseBundle(bundler: Bundler, now: () => number): Bundler {
  let kept: { at: number; bundle: ReturnType<Bundler> } | undefined;
  return () => {
    if (kept && now() - kept.at < BUNDLE_REUSE_MS) return kept.bundle;
    const bundle = bundler();
    kept = { at: now(), bundle };
    bundle.catch(() => {
      if (kept?.bundle === bundle) kept = undefined;
    });
    return bundle;
  };
}
