/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * The wizard screen: a stepper with the CLI's six steps (their names come from the library), the
 * result of the step just finished, and the current step's form, its live progress, its question,
 * or its error with Retry.
 */
import type { SetupResult } from "../../commands/setup";
import { SETUP_STEPS } from "../../commands/setup";
import { describeAllow } from "../../allow";
import type { ProvisionState } from "../../state/state";
import type { ChecklistItem } from "../../token-checklist";
import type { Run } from "../runs";
import { ConnectDetails, type ConnectModel } from "./connect";
import type { FormEcho } from "./fields";
import { Checklist } from "./fields";
import { Page } from "./layout";
import { ErrorCard, RunLog, RunPanel } from "./run";
import { AccessStep, TokenStep, TunnelStep, VpcStep, WorkerStep, type StepFormProps } from "./steps";

export interface WizardModel {
  step: number;
  state: ProvisionState;
  csrf: string;
  run: Run | undefined;
  echo: FormEcho | undefined;
  checklist: readonly ChecklistItem[] | undefined;
  hasToken: boolean;
  subdomain: string | undefined;
  accountName: string | undefined;
  /** After a restart: the step the state file says comes next. */
  resumeAt: number | undefined;
  connect: ConnectModel | undefined;
}

const TITLES = [
  "Connect your Cloudflare account",
  "Create the tunnel",
  "Route to your gateway",
  "Deploy the Worker",
  "Choose who may sign in",
  "Connect your MCP client",
];

export function WizardPage(props: WizardModel) {
  const { step, run } = props;
  const running = run?.status === "running";
  const failed = run?.status === "failed" ? run : undefined;
  const justDone = run?.status === "done" && run.step !== undefined && run.step < step ? run : undefined;
  return (
    <Page title={`Step ${step} of 6`}>
      <h1>Setup Wizard</h1>
      <Stepper step={step} state={props.state} />
      <section class="step" aria-labelledby="step-title">
        <h2 id="step-title" tabindex={-1}>
          <span class="step-no">{`Step ${step} of 6`}</span> {TITLES[step - 1] ?? ""}
        </h2>
        {justDone ? <DonePanel run={justDone} checklist={props.checklist} accountName={props.accountName} /> : undefined}
        {step === 1 && props.resumeAt ? (
          <p class="notice info">{`Your setup is saved up to step ${props.resumeAt - 1}. The wizard was restarted, and it never stores the API token: enter it again to continue at step ${props.resumeAt}.`}</p>
        ) : undefined}
        {running && run ? (
          <RunPanel
            run={run}
            csrf={props.csrf}
            title={`Working on step ${run.step ?? step}…`}
            intro={
              run.step && run.step > 1
                ? `First the wizard checks steps 1 to ${run.step - 1} again (it changes only what is not in place there${run.step === 5 ? ", such as the Worker's copy of who may sign in" : ""}), then it works on step ${run.step}.`
                : undefined
            }
          />
        ) : undefined}
        {failed?.report ? (
          // On step 1 the checklist shows what is missing and the form's own button checks again.
          <ErrorCard run={failed} report={failed.report} csrf={props.csrf} retry={step !== 1} listMissing={step !== 1} />
        ) : undefined}
        {!running ? <StepBody {...props} /> : undefined}
        {failed ? (
          <details class="log-details">
            <summary>What happened</summary>
            <RunLog run={failed} live={false} />
          </details>
        ) : undefined}
      </section>
    </Page>
  );
}

function StepBody(props: WizardModel) {
  const form: StepFormProps = {
    state: props.state,
    csrf: props.csrf,
    echo: props.echo,
    checklist: props.checklist,
    hasToken: props.hasToken,
    subdomain: props.subdomain,
  };
  switch (props.step) {
    case 1:
      return <TokenStep {...form} />;
    case 2:
      return <TunnelStep {...form} />;
    case 3:
      return <VpcStep {...form} />;
    case 4:
      return <WorkerStep {...form} />;
    case 5:
      return <AccessStep {...form} />;
    default:
      return props.connect ? (
        <>
          <p class="notice ok" role="status">
            Setup is complete{props.state.allow ? `: ${describeAllow(props.state.allow)} may sign in` : ""}.
          </p>
          <ConnectDetails {...props.connect} />
          <p>
            <a class="button secondary" href="/">
              Go to the Remote Access status page
            </a>
          </p>
        </>
      ) : undefined;
  }
}

function Stepper(props: { step: number; state: ProvisionState }) {
  return (
    <nav aria-label="Setup steps" class="stepper">
      <ol>
        {SETUP_STEPS.map((s, i) => {
          const n = i + 1;
          const status = n < props.step ? "done" : n === props.step ? "current" : "upcoming";
          return (
            <li class={status} aria-current={status === "current" ? "step" : undefined}>
              <span class="dot" aria-hidden="true">
                {status === "done" ? "✓" : String(n)}
              </span>
              <span class="name">{s.name}</span>
              <span class="visually-hidden">{status === "done" ? " (done)" : status === "current" ? " (current step)" : ""}</span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function DonePanel(props: { run: Run; checklist: readonly ChecklistItem[] | undefined; accountName: string | undefined }) {
  const { run } = props;
  const result = run.result as SetupResult | undefined;
  // Earlier steps run again first and may change too (step 5's rule reaches the Worker of step 4).
  const changes = (result?.steps ?? []).flatMap((s) => s.changes.map((c) => (s.n === run.step ? c : `${s.name} (step ${s.n}): ${c}`)));
  return (
    <section class="notice ok" role="status" aria-labelledby="done-title">
      <h3 id="done-title">{`✓ Step ${run.step ?? ""} done${run.step === 1 && props.accountName ? `: the token works with the account ${props.accountName}` : ""}`}</h3>
      {run.step === 1 && props.checklist ? <Checklist items={props.checklist} /> : undefined}
      {changes.length > 0 ? <p>What the wizard changed:</p> : undefined}
      {changes.length > 0 ? (
        <ul class="changes">
          {changes.map((c) => (
            <li>{c}</li>
          ))}
        </ul>
      ) : run.step !== 1 ? (
        <p>Everything for this step was already in place.</p>
      ) : undefined}
      <details class="log-details">
        <summary>What happened</summary>
        <RunLog run={run} live={false} />
      </details>
    </section>
  );
}
