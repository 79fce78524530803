/**
 * "Who is signed in": loading the install's grants and revoking them, each a run of the library
 * command (`runGrantsList`, `runGrantsRevoke`, which asks before it revokes). The revoke form names
 * one criterion (`by`: user, client, grant or all) and its value, checked by the same rules as the
 * CLI's flags; both answers return to the page's "Who is signed in" panel.
 */
import type { Hono } from "hono";
import type { GrantSelector } from "../../grants/grants";
import { checkGrantCriterion, GRANT_CRITERIA, selectorOf } from "../../grants/selector";
import type { WizardEnv } from "../app";
import type { Operations } from "../operations";
import { formOf, GRANTS_PANEL } from "../pages";
import { startOrShow } from "./wizard-routes";

type RevokeForm = { ok: true; selector: GrantSelector } | { ok: false; problem: string };

/** The revoke form's `by` and `value`, as a selector. */
function revokeFormOf(form: Record<string, string>): RevokeForm {
  if (form.by === "all") return { ok: true, selector: { all: true } };
  const criterion = GRANT_CRITERIA.find((c) => c === form.by);
  if (!criterion) return { ok: false, problem: "the form does not say which grants to revoke" };
  const check = checkGrantCriterion(criterion, form.value ?? "");
  return check.ok ? { ok: true, selector: selectorOf(criterion, check.value) } : { ok: false, problem: `the ${criterion} to revoke ${check.problem}` };
}

export function grantsRoutes(app: Hono<WizardEnv>, ops: Operations): void {
  app.post("/grants/list", (c) => {
    const session = c.get("session");
    if (session.apiToken === undefined) return c.redirect("/", 303);
    startOrShow(() => ops.listGrants(session), undefined);
    return c.redirect(GRANTS_PANEL, 303);
  });

  app.post("/grants/revoke", async (c) => {
    const session = c.get("session");
    const parsed = revokeFormOf(await formOf(c));
    if (!parsed.ok) return c.text(`Refused: ${parsed.problem}. Reload the page and use its revoke buttons.`, 400);
    if (session.apiToken === undefined) return c.redirect("/", 303);
    startOrShow(() => ops.revokeGrants(session, parsed.selector), undefined);
    return c.redirect(GRANTS_PANEL, 303);
  });
}
