/**
 * Remote Access itself: the introduction before setup, the status page after it, the API token
 * for this session, the on-demand check (status and doctor), and the actions (secrets sync,
 * rotation start and finish, teardown), each a run of the library command. The grants panel's
 * runs (routes/grants-routes.ts) show inside that panel.
 */
import type { Hono } from "hono";
import type { RotateResult } from "../../commands/rotate";
import type { SecretsSyncResult } from "../../commands/secrets-sync";
import type { TeardownResult } from "../../commands/teardown";
import type { GrantsRevokeResult } from "../../grants/commands";
import { describeSelector, reportRevoke, type RevokeReport } from "../../grants/present";
import { loadState } from "../../state/files";
import { completedSteps, isSetUp } from "../../state/progress";
import { hasResources } from "../../state/state";
import type { WizardEnv } from "../app";
import type { ActionKind, Operations, WizardSettings } from "../operations";
import { formOf } from "../pages";
import type { Run, RunBoard } from "../runs";
import { IntroPage } from "../views/intro";
import { documentOf, Notice } from "../views/layout";
import { StatusPage } from "../views/status";
import { startOrShow } from "./wizard-routes";

interface Deps {
  board: RunBoard;
  ops: Operations;
  settings: WizardSettings;
}

const ACTIONS: Record<string, ActionKind> = {
  "secrets-sync": "secrets-sync",
  "rotate-start": "rotate-start",
  "rotate-finish": "rotate-finish",
  teardown: "teardown",
};

export function statusRoutes(app: Hono<WizardEnv>, deps: Deps): void {
  const { board, ops, settings } = deps;

  app.get("/", async (c) => {
    const session = c.get("session");
    const { state } = await loadState(settings.statePath);
    const run = board.current?.kind !== "setup" ? board.current : undefined;
    if (isSetUp(state) || (run && hasResources(state))) {
      const grantsRun = run?.kind === "grants-list" || run?.kind === "grants-revoke" ? run : undefined;
      const grants = { csrf: session.csrf, run: grantsRun, last: ops.lastGrants, report: grantsRun ? revokeReportOf(grantsRun) : undefined };
      const model = { state, csrf: session.csrf, run: grantsRun ? undefined : run, hasToken: session.apiToken !== undefined, lastCheck: ops.lastCheck, outcome: run ? outcomeOf(run) : undefined, grants };
      return c.html(documentOf(StatusPage(model)));
    }
    const removed = run?.kind === "teardown" && run.status === "done";
    const notice = removed ? Notice({ kind: "ok", title: "Everything was removed from your Cloudflare account." }) : undefined;
    const done = completedSteps(state);
    return c.html(documentOf(IntroPage({ resumeAt: done > 0 ? done + 1 : undefined, notice })));
  });

  app.post("/status/token", async (c) => {
    const session = c.get("session");
    const token = (await formOf(c)).api_token?.trim() ?? "";
    if (token !== "") session.apiToken = token;
    if (session.apiToken !== undefined) startOrShow(() => ops.check(session), undefined);
    return c.redirect("/", 303);
  });

  app.post("/status/check", (c) => {
    const session = c.get("session");
    if (session.apiToken !== undefined) startOrShow(() => ops.check(session), undefined);
    return c.redirect("/", 303);
  });

  app.post("/actions/:name", (c) => {
    const session = c.get("session");
    const kind = ACTIONS[c.req.param("name")];
    if (!kind) return c.text("Not found", 404);
    if (session.apiToken !== undefined) startOrShow(() => ops.action(session, kind), undefined);
    return c.redirect("/", 303);
  });
}

/** What a finished revoke did, in the library's words. */
function revokeReportOf(run: Run): RevokeReport | undefined {
  if (run.kind !== "grants-revoke" || run.status !== "done") return undefined;
  const result = run.result as GrantsRevokeResult;
  return reportRevoke(result, describeSelector(result.selector, "words"), "Press the same revoke button again: revoking what is already gone is harmless.");
}

/** One sentence about a finished action, for the status page. */
function outcomeOf(run: Run): string | undefined {
  if (run.status !== "done") return undefined;
  switch (run.kind) {
    case "secrets-sync": {
      const r = run.result as SecretsSyncResult;
      return `✓ ${r.secrets.length} secrets set on the Worker${r.envFileUpdated ? "; the env file was updated" : ""}.`;
    }
    case "rotate-start": {
      const r = run.result as RotateResult;
      return r.workerUpdated
        ? "✓ The Worker now sends the new service token. Restart the gateway so it reads the env file, then finish the rotation."
        : "The new service token is ready, but the Worker still sends the previous one: restart the gateway, re-sync the secrets, then finish the rotation.";
    }
    case "rotate-finish":
      return "✓ Rotation finished: the env file holds only the new token. Restart the gateway to drop the old one.";
    case "teardown": {
      const r = run.result as TeardownResult;
      return r.ok ? "✓ Everything was removed." : `Removal incomplete: ${r.kept.length} resource(s) could not be deleted (see below); try again once fixed.`;
    }
    default:
      return undefined;
  }
}
