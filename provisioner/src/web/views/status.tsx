/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * Remote Access once set up: live status (refreshed on demand), doctor's findings for the three
 * usual problems with the fix for each, the setup's facts from the state, who is signed in (the
 * grants panel, views/grants.tsx), and the actions: re-sync secrets, rotate the service token
 * (start, finish), remove everything.
 */
import { describeAllow } from "../../allow";
import { DOCTOR_AREAS, type DoctorResult, type Finding } from "../../commands/doctor";
import type { StatusResult } from "../../commands/status";
import { mcpUrlOf } from "../../connect";
import type { ProvisionState } from "../../state/state";
import type { Run } from "../runs";
import { Field } from "./fields";
import { GrantsPanel, type GrantsModel } from "./grants";
import { ActionButton, Copyable, Csrf, Page } from "./layout";
import { ErrorCard, RunLog, RunPanel } from "./run";

export interface LastCheck {
  at: Date;
  status: StatusResult;
  doctor: DoctorResult;
}

export interface StatusModel {
  state: ProvisionState;
  csrf: string;
  run: Run | undefined;
  hasToken: boolean;
  lastCheck: LastCheck | undefined;
  /** A sentence about the last finished action. */
  outcome: string | undefined;
  /** The "Who is signed in" panel (its runs show there, not in `run`). */
  grants: GrantsModel;
}

const ACTION_TITLES: Record<string, string> = {
  check: "Checking the setup…",
  "secrets-sync": "Re-syncing the secrets…",
  "rotate-start": "Rotating the service token…",
  "rotate-finish": "Finishing the rotation…",
  teardown: "Removing everything…",
};

export function StatusPage(props: StatusModel) {
  const { state, run, csrf } = props;
  const url = state.worker?.url;
  const rotating = Boolean(state.secrets?.previousServiceToken);
  return (
    <Page title="Remote Access">
      <h1>Remote Access</h1>
      <p class="lead">Remote access is set up. MCP clients reach your server at:</p>
      {url ? <Copyable id="copy-mcp-url" value={mcpUrlOf(url)} label="MCP URL" /> : undefined}
      <p>
        <a href="/wizard">Connection instructions for each MCP client, and how to start the home side</a>
      </p>
      {run?.status === "running" ? <RunPanel run={run} csrf={csrf} title={ACTION_TITLES[run.kind] ?? "Working…"} /> : undefined}
      {run?.status === "failed" && run.report ? <ErrorCard run={run} report={run.report} csrf={csrf} /> : undefined}
      {run?.status === "done" && props.outcome ? (
        <section class="notice ok" role="status">
          <h2>{props.outcome}</h2>
          <details class="log-details">
            <summary>What happened</summary>
            <RunLog run={run} live={false} />
          </details>
        </section>
      ) : undefined}
      <section aria-labelledby="live">
        <h2 id="live">Live status</h2>
        {props.hasToken && !(run?.kind === "check" && run.status === "failed") ? (
          <>
            {props.lastCheck ? <CheckResults check={props.lastCheck} /> : <p>Not checked yet in this session.</p>}
            <ActionButton action="/status/check" csrf={csrf} label={props.lastCheck ? "Check again" : "Check now"} />
          </>
        ) : (
          <form method="post" action="/status/token" class="step-form">
            <Csrf token={csrf} />
            {props.hasToken ? <p>If the check failed because of the token, enter another one.</p> : undefined}
            <p>The live checks, who is signed in, and the actions (re-sync the secrets, rotate the service token, remove everything) use the Cloudflare API. The wizard never stores your API token: enter it once for this session.</p>
            <Field name="api_token" label="API token" type="password" value="" echo={undefined} help="Kept in this wizard's memory only while it runs." />
            <button type="submit" class="primary">
              Check the setup
            </button>
          </form>
        )}
      </section>
      <section aria-labelledby="facts">
        <h2 id="facts">This setup</h2>
        <dl class="facts">
          <dt>Account</dt>
          <dd>{state.accountName ? `${state.accountName} (${state.accountId ?? ""})` : (state.accountId ?? "")}</dd>
          <dt>Who may sign in</dt>
          <dd>{state.allow ? describeAllow(state.allow) : "not chosen yet"}</dd>
          <dt>Resources</dt>
          <dd>
            <ul class="plain">
              {state.tunnel ? <li>{`Tunnel "${state.tunnel.name}" (${state.tunnel.id})`}</li> : undefined}
              {state.vpcService ? <li>{`Workers VPC service "${state.vpcService.name}" (${state.vpcService.id}) → ${state.gateway.host}:${state.gateway.port}`}</li> : undefined}
              {state.worker ? <li>{`Worker "${state.worker.name}"${state.worker.url ? ` at ${state.worker.url}` : ""}`}</li> : undefined}
              {state.kvNamespace ? <li>{`KV namespace "${state.kvNamespace.title}"`}</li> : undefined}
              {state.access ? <li>{`Access application "${state.access.appName}" on ${state.access.authDomain}`}</li> : undefined}
            </ul>
          </dd>
          <dt>Setup last changed</dt>
          <dd>{state.updatedAt ? <time datetime={state.updatedAt}>{state.updatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}</time> : "unknown"}</dd>
          <dt>Service token rotation</dt>
          <dd>{rotating ? "in progress: the gateway accepts the new and the previous token" : "none in progress"}</dd>
        </dl>
      </section>
      {props.hasToken ? <GrantsPanel {...props.grants} /> : undefined}
      {props.hasToken ? <Actions csrf={csrf} rotating={rotating} /> : undefined}
    </Page>
  );
}

function CheckResults(props: { check: LastCheck }) {
  const { status, doctor, at } = props.check;
  const mark = { ok: "✓", problem: "✗", "not set up": "·", skipped: "·" } as const;
  return (
    <>
      <p class="help">{`Checked at ${at.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")}.`}</p>
      <table class="status">
        <caption class="visually-hidden">Each part of the setup and its live state</caption>
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">State</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {status.rows.map((row) => (
            <tr class={`row-${row.state.replace(/ /g, "-")}`}>
              <th scope="row">{[row.resource, row.name ? `"${row.name}"` : ""].filter(Boolean).join(" ")}</th>
              <td>{`${mark[row.state]} ${row.state}`}</td>
              <td>{row.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="doctor">Troubleshooting</h2>
      <p>{doctor.ok ? "No problems found for the three usual issues." : `${doctor.findings.filter((f) => f.status === "problem").length} problem(s) found; the fix is below each.`}</p>
      {DOCTOR_AREAS.map(({ area, title }) => (
        <section class="finding-area" aria-label={title}>
          <h3>{title}</h3>
          <ul class="findings">
            {doctor.findings
              .filter((f) => f.area === area)
              .map((f) => (
                <FindingItem finding={f} mark={mark[f.status]} />
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}

function FindingItem(props: { finding: Finding; mark: string }) {
  const f = props.finding;
  return (
    <li class={`finding-${f.status}`}>
      <p>
        <span aria-hidden="true">{props.mark}</span> <strong>{f.status === "ok" ? "OK" : f.status === "problem" ? "Problem" : "Skipped"}:</strong> {f.check}
      </p>
      <p class="help">{`Seen: ${f.seen}`}</p>
      {f.action && f.status !== "ok" && f.steps && f.steps.length > 1 ? (
        <div class="fix">
          <p>
            <strong>What to do:</strong>
          </p>
          <ol>
            {f.steps.map((step) => (
              <li>
                <FixText text={step} />
              </li>
            ))}
          </ol>
        </div>
      ) : f.action && f.status !== "ok" ? (
        <p class="fix">
          <strong>What to do:</strong> <FixText text={f.action} />
        </p>
      ) : undefined}
      {f.status === "problem" && f.area === "service-token" ? <p class="help">On this page, the Re-sync secrets button under Actions does the same.</p> : undefined}
    </li>
  );
}

/** A fix as text, with the commands it quotes in backticks shown as code. */
function FixText(props: { text: string }) {
  return <>{props.text.split(/`([^`]+)`/).map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>;
}

function Actions(props: { csrf: string; rotating: boolean }) {
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Actions</h2>
      <div class="action">
        <h3>Re-sync secrets</h3>
        <p>Sets the Worker's seven secrets again from the state file and refreshes the service token in the env file. Use it when the troubleshooting above finds a 403 problem.</p>
        <ActionButton action="/actions/secrets-sync" csrf={props.csrf} label="Re-sync secrets" kind="secondary" />
      </div>
      <div class="action">
        <h3>Rotate the service token</h3>
        {props.rotating ? (
          <>
            <p>A rotation is in progress. Once the gateway was restarted with the env file, end the overlap so that only the new token is accepted.</p>
            <ActionButton action="/actions/rotate-finish" csrf={props.csrf} label="Finish the rotation" kind="secondary" />
          </>
        ) : (
          <>
            <p>Makes a new secret between the Worker and the gateway. The env file gets both tokens, so the gateway accepts the old and the new one until you finish the rotation.</p>
            <ActionButton action="/actions/rotate-start" csrf={props.csrf} label="Start a rotation" kind="secondary" />
          </>
        )}
      </div>
      <div class="action">
        <h3>Remove everything</h3>
        <p>Deletes the Access application, the Worker, its KV namespace, the VPC service and the tunnel from your Cloudflare account. You will see the list and confirm by typing the Worker's name.</p>
        <ActionButton action="/actions/teardown" csrf={props.csrf} label="Remove everything…" kind="danger" />
      </div>
    </section>
  );
}
