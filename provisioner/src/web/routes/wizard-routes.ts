/**
 * The wizard's routes: the current step's screen, one POST per step form (validated with the
 * library's input rules, then a setup run through that step), and the answers and retries of runs.
 */
import type { Hono } from "hono";
import { checkAllow, type AllowKind, ALLOW_KINDS } from "../../allow";
import { checkInput, checkPort, INPUT_RULES, type InputRule } from "../../inputs";
import type { WizardEnv } from "../app";
import type { Operations, StepInputs, WizardSettings } from "../operations";
import { formOf, pageOfRun, wizardModel } from "../pages";
import { BusyError, type RunBoard } from "../runs";
import { documentOf } from "../views/layout";
import type { FormEcho } from "../views/fields";
import { WizardPage } from "../views/wizard";

interface Deps {
  board: RunBoard;
  ops: Operations;
  settings: WizardSettings;
}

type Parsed = { ok: true; inputs: StepInputs } | { ok: false; echo: FormEcho };

/** Each step's form: its fields, checked with the same rules as the CLI's flags. */
const STEP_FORMS: Record<string, { step: number; parse(form: Record<string, string>): Parsed }> = {
  tunnel: { step: 2, parse: nameForm("tunnel_name", INPUT_RULES.tunnelName, "tunnelName") },
  vpc: {
    step: 3,
    parse: (form) => {
      const host = checkInput(INPUT_RULES.gatewayHost, form.gateway_host ?? "", INPUT_RULES.gatewayHost.label);
      const port = checkPort(form.gateway_port ?? "", "Gateway port");
      if (host.ok && port.ok) return { ok: true, inputs: { gatewayHost: host.value, gatewayPort: port.value } };
      const problems: Record<string, string> = {};
      if (!host.ok) problems.gateway_host = host.problem;
      if (!port.ok) problems.gateway_port = port.problem;
      return { ok: false, echo: { values: form, problems } };
    },
  },
  worker: { step: 4, parse: nameForm("worker_name", INPUT_RULES.workerName, "workerName") },
  access: {
    step: 5,
    parse: (form) => {
      const kind = ALLOW_KINDS.find((k) => k === form.allow_kind) as AllowKind | undefined;
      if (!kind) return { ok: false, echo: { values: form, problems: { allow: "Choose who may sign in." } } };
      const check = checkAllow(kind, kind === "emails" ? (form.allow_emails ?? "") : (form.allow_domain ?? ""));
      return check.ok ? { ok: true, inputs: { allow: check.rule } } : { ok: false, echo: { values: form, problems: { allow: check.problem } } };
    },
  },
};

/** A form with one resource name in `field`, checked by `rule`. */
function nameForm(field: string, rule: InputRule, key: "tunnelName" | "workerName"): (form: Record<string, string>) => Parsed {
  return (form) => {
    const name = checkInput(rule, form[field] ?? "", rule.label);
    return name.ok ? { ok: true, inputs: { [key]: name.value } } : { ok: false, echo: { values: form, problems: { [field]: name.problem } } };
  };
}

export function wizardRoutes(app: Hono<WizardEnv>, deps: Deps): void {
  const { board, ops, settings } = deps;

  app.get("/wizard", async (c) => c.html(documentOf(WizardPage(await wizardModel(c.get("session"), board, settings)))));

  app.post("/wizard/token", async (c) => {
    const session = c.get("session");
    const token = (await formOf(c)).api_token?.trim() ?? "";
    if (token === "" && session.apiToken === undefined) {
      const echo: FormEcho = { values: {}, problems: { api_token: "Paste the API token you created." } };
      return c.html(documentOf(WizardPage(await wizardModel(session, board, settings, echo))), 400);
    }
    if (token !== "") session.apiToken = token;
    return startOrShow(() => ops.setup(session, 1, {}), c.redirect("/wizard", 303));
  });

  app.post("/wizard/:form", async (c) => {
    const session = c.get("session");
    const spec = STEP_FORMS[c.req.param("form")];
    if (!spec) return c.text("Not found", 404);
    if (!session.verified) return c.redirect("/wizard", 303);
    const parsed = spec.parse(await formOf(c));
    if (!parsed.ok) return c.html(documentOf(WizardPage(await wizardModel(session, board, settings, parsed.echo))), 400);
    return startOrShow(() => ops.setup(session, spec.step, parsed.inputs), c.redirect("/wizard", 303));
  });

  app.post("/run/answer", async (c) => {
    const form = await formOf(c);
    const run = board.current;
    board.answer(Number(form.run), Number(form.question), { answer: form.answer, typed: form.typed, choice: form.choice, text: form.text });
    return c.redirect(pageOfRun(run?.kind), 303);
  });

  app.post("/run/retry", async (c) => {
    const form = await formOf(c);
    const run = board.current;
    if (run && run.id === Number(form.run) && run.status === "failed") startOrShow(() => run.retry(), undefined);
    return c.redirect(pageOfRun(run?.kind), 303);
  });
}

/** Starts a run; when one is already going, the page simply shows that one. */
export function startOrShow<T>(start: () => unknown, then: T): T {
  try {
    start();
  } catch (error) {
    if (!(error instanceof BusyError)) throw error;
  }
  return then;
}
