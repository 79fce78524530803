/**
 * What the page's buttons start, expressed as library calls: setup through a given step, a status
 * and doctor check, secrets sync, rotation, teardown, listing and revoking grants. Options come from the wizard's settings, the
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
import { runGrantsList, runGrantsRevoke, type GrantSource } from "../grants/commands";
import type { GrantSelector } from "../grants/grants";
import { remainingGrants } from "../grants/present";
import type { ProvisionOptions, RunDeps } from "../run/context";
import type { Reporter } from "../run/reporter";
import type { AllowRule } from "../state/state";
import { tokenChecklist } from "../token-checklist";
import type { RunBoard, RunIo, RunKind, Run } from "./runs";
import type { Session } from "./security/sessions";
import type { LastGrants } from "./views/grants";
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
  action(session: Session, kind: ActionKind): Run;
  /** Reads the install's grants (its OAUTH_KV through the API). */
  listGrants(session: Session): Run;
  /** Revokes the grants `selector` names, after the library's confirmation. */
  revokeGrants(session: Session, selector: GrantSelector): Run;
  /** The result of the last check in this process. */
  lastCheck: LastCheck | undefined;
  /** The grants as last listed in this process, without those revoked since. */
  lastGrants: LastGrants | undefined;
}

export type ActionKind = Exclude<RunKind, "setup" | "check" | "grants-list" | "grants-revoke">;

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
  const grantSource = (session: Session): GrantSource => ({ kind: "cloudflare", options: options(session) });
  const now = () => (settings.deps.now ?? (() => new Date()))();

  const ops: Operations = {
    lastCheck: undefined,
    lastGrants: undefined,
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
        ops.lastCheck = { at: now(), status, doctor };
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
    listGrants: (session) =>
      board.start("grants-list", undefined, async (io) => {
        const result = await runGrantsList(grantSource(session), {}, deps(io));
        ops.lastGrants = { at: now(), grants: result.grants, revokedSince: 0 };
        return result;
      }),
    revokeGrants: (session, selector) =>
      board.start("grants-revoke", undefined, async (io) => {
        const result = await runGrantsRevoke(grantSource(session), selector, { confirmEach: true }, deps(io));
        const last = ops.lastGrants;
        if (last) {
          const grants = remainingGrants(last.grants, result);
          ops.lastGrants = { ...last, grants, revokedSince: last.revokedSince + last.grants.length - grants.length };
        }
        return result;
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
