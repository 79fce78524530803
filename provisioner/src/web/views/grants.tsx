/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * "Who is signed in" on the Remote Access page: the install's OAuth grants, loaded on demand (it
 * reads KV through the API), by person and by MCP client, with a revoke button per person, per
 * client, per grant, and for everyone; the run of a load or a revoke (progress, the question that
 * confirms, the error) and what the last revoke did. Every text from the grant store goes through
 * the library's `displaySafe` and is rendered as text.
 */
import { REVOKE_ALL_CONFIRMATION } from "../../grants/commands";
import type { GrantSummary } from "../../grants/grants";
import { clientNameLabel, displaySafe, formatGrantTime, grantsByClient, grantsByPerson, type RevokeReport } from "../../grants/present";
import type { Run } from "../runs";
import { Csrf } from "./layout";
import { ErrorCard, RunPanel } from "./run";

export interface LastGrants {
  at: Date;
  grants: GrantSummary[];
  /** Grants of this list revoked since it was loaded (left out of `grants`). */
  revokedSince: number;
}

export interface GrantsModel {
  csrf: string;
  /** The run in progress or last ended, when it lists or revokes grants. */
  run: Run | undefined;
  last: LastGrants | undefined;
  /** What the last revoke did, once it ended. */
  report: RevokeReport | undefined;
}

/** The id of the panel, or of its open question (the panel's forms return to /#grants). */
export const GRANTS_ANCHOR = "grants";

const RUN_TITLES: Record<string, string> = { "grants-list": "Loading who is signed in…", "grants-revoke": "Revoking…" };

export function GrantsPanel(props: GrantsModel) {
  const { run, last, csrf } = props;
  // The question, when there is one, carries the id the address names (see RunPanel).
  const asking = run?.status === "running" && run.question !== undefined;
  return (
    <section id={asking ? undefined : GRANTS_ANCHOR} aria-labelledby="grants-title" class="grants">
      <h2 id="grants-title">Who is signed in</h2>
      <p>
        Each sign-in from an MCP client is a grant, kept in the Worker's KV namespace. Revoking a grant signs that client out: its next request gets 401 and the person must sign in at Cloudflare
        Access again. It does not stop anyone from signing in again; change who may sign in for that.
      </p>
      {run?.status === "running" ? <RunPanel run={run} csrf={csrf} title={RUN_TITLES[run.kind] ?? "Working…"} anchor={asking ? GRANTS_ANCHOR : undefined} /> : undefined}
      {run?.status === "failed" && run.report ? <ErrorCard run={run} report={run.report} csrf={csrf} /> : undefined}
      {run?.status === "done" && props.report ? <RevokeOutcome report={props.report} /> : undefined}
      <div class="grants-loaded">
        <p class="help">{last ? loadedLine(last) : "Not loaded yet in this session. Loading reads the grants from Cloudflare KV through the API."}</p>
        <form method="post" action="/grants/list" class="inline">
          <Csrf token={csrf} />
          <button type="submit" class={last ? "secondary" : "primary"}>
            {last ? "Load the list again" : "Load who is signed in"}
          </button>
        </form>
      </div>
      {last && last.grants.length > 0 ? <GrantLists last={last} csrf={csrf} /> : undefined}
    </section>
  );
}

function RevokeOutcome(props: { report: RevokeReport }) {
  const [first, ...rest] = props.report.sentences;
  return (
    <section class={`notice ${props.report.ok ? "ok" : "warn"}`} role="status" aria-labelledby="revoke-outcome">
      <h3 id="revoke-outcome">{first?.text ?? ""}</h3>
      {first?.detail ? <p>{first.detail}</p> : undefined}
      {rest.map((s) => (
        <>
          <p>
            <strong>{s.text}</strong>
          </p>
          {s.detail ? <p>{s.detail}</p> : undefined}
        </>
      ))}
      {props.report.revoked.length > 0 ? (
        <>
          <p>Revoked:</p>
          <ul class="items" id="revoked-grants">
            {props.report.revoked.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </>
      ) : undefined}
    </section>
  );
}

/** When the list was loaded, what it holds, and how many grants were revoked since. */
function loadedLine(last: LastGrants): string {
  const loaded = `Loaded at ${last.at.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")}`;
  const since = last.revokedSince > 0 ? ` ${last.revokedSince} grant(s) revoked since are left out.` : "";
  const people = grantsByPerson(last.grants).length;
  return last.grants.length === 0 ? `${loaded}: nobody is signed in (no grants).${since}` : `${loaded}: ${last.grants.length} grant(s) of ${people} person(s).${since}`;
}

function GrantLists(props: { last: LastGrants; csrf: string }) {
  const { last, csrf } = props;
  const people = grantsByPerson(last.grants);
  return (
    <>
      {people.map((person, i) => (
        <section class="person" aria-labelledby={`person-${i}`}>
          <div class="person-head">
            <h3 id={`person-${i}`}>{person.label}</h3>
            <RevokeButton csrf={csrf} by="user" value={person.user} label="Revoke this person's grants" context={person.label} />
          </div>
          <table class="status grants-table">
            <caption class="visually-hidden">{`Grants of ${person.label}`}</caption>
            <HeadRow columns={["MCP client and its id", "Grant", "Signed in", "Expires"]} />
            <tbody>
              {person.grants.map((grant) => (
                <GrantRow grant={grant} csrf={csrf} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <h3 id="grant-clients">By MCP client</h3>
      <table class="status grants-table" aria-labelledby="grant-clients">
        <HeadRow columns={["MCP client and its id", "Grants"]} />
        <tbody>
          {grantsByClient(last.grants).map((client) => (
            <tr>
              <td>
                <ClientCell clientName={clientNameLabel(client)} clientId={client.clientId} />
              </td>
              <td>{`${client.grants} grant(s) of ${client.people} person(s)`}</td>
              <td>
                <RevokeButton csrf={csrf} by="client" value={client.clientId} label="Revoke this client" context={clientNameLabel(client) ?? displaySafe(client.clientId)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="action">
        <h3>Revoke everyone</h3>
        <p>
          Signs every person out of every MCP client. You will see the list and confirm by typing <code>{REVOKE_ALL_CONFIRMATION}</code>.
        </p>
        <RevokeButton csrf={csrf} by="all" value="" label="Revoke all…" kind="danger" />
      </div>
    </>
  );
}

function GrantRow(props: { grant: GrantSummary; csrf: string }) {
  const { grant } = props;
  const name = clientNameLabel(grant);
  return (
    <tr>
      <td>
        <ClientCell clientName={name} clientId={grant.clientId} />
      </td>
      <td>
        <code>{displaySafe(grant.grantId)}</code>
      </td>
      <td>
        <Time seconds={grant.createdAt} />
      </td>
      <td>{grant.status === "pending" ? "sign-in not finished" : grant.hasRefreshToken && grant.expiresAt !== undefined ? <Time seconds={grant.expiresAt} /> : grant.hasRefreshToken ? "no expiry" : "no refresh token"}</td>
      <td>
        <RevokeButton csrf={props.csrf} by="grant" value={grant.grantId} label="Revoke" context={`grant ${displaySafe(grant.grantId)} of ${name ?? displaySafe(grant.clientId)}`} />
      </td>
    </tr>
  );
}

/** A table's column headings, then the revoke buttons' column (named for screen readers). */
function HeadRow(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((column) => (
          <th scope="col">{column}</th>
        ))}
        <th scope="col">
          <span class="visually-hidden">Revoke</span>
        </th>
      </tr>
    </thead>
  );
}

/** A client's name (already made safe; "(no name)" without one) above its id. */
function ClientCell(props: { clientName: string | undefined; clientId: string }) {
  return (
    <>
      <span class="client-name">{props.clientName ?? "(no name)"}</span>
      <br />
      <code>{displaySafe(props.clientId)}</code>
    </>
  );
}

function Time(props: { seconds: number }) {
  return <time datetime={new Date(props.seconds * 1000).toISOString()}>{formatGrantTime(props.seconds)}</time>;
}

/** A revoke button: a form posting the criterion and its value; `context` completes its accessible name. */
function RevokeButton(props: { csrf: string; by: "user" | "client" | "grant" | "all"; value: string; label: string; context?: string; kind?: "secondary" | "danger" }) {
  return (
    <form method="post" action="/grants/revoke" class="inline">
      <Csrf token={props.csrf} />
      <input type="hidden" name="by" value={props.by} />
      {props.by !== "all" ? <input type="hidden" name="value" value={props.value} /> : undefined}
      <button type="submit" class={props.kind ?? "secondary"}>
        {props.label}
        {props.context ? <span class="visually-hidden">{` (${props.context})`}</span> : undefined}
      </button>
    </form>
  );
}
