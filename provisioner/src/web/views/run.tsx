/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * A run on the page: its progress log (the library's own lines; the script appends new ones from
 * the event stream), the question it waits on (adopt or stop, which account, delete?), and the
 * error card with the API's message, what to do, and Retry.
 */
import type { ErrorReport } from "../../run/error-report";
import type { Question, Run, RunEvent } from "../runs";
import { Csrf } from "./layout";

/** The log lines of a run; unfinished waits show as "in progress". */
export function RunLog(props: { run: Run; live: boolean }) {
  const { run } = props;
  const ended = new Set(run.events.filter((e) => e.type === "wait" && e.phase === "end").map((e) => (e.type === "wait" ? e.label : "")));
  const items = run.events.map((event) => logItem(event, ended)).filter((x) => x !== undefined);
  return (
    <ol class="log" id="run-log" tabindex={0} aria-live="polite" aria-label="Progress" data-run={props.live ? String(run.id) : undefined} data-from={String(run.events.length)}>
      {items}
    </ol>
  );
}

function logItem(event: RunEvent, ended: Set<string>) {
  switch (event.type) {
    case "step":
      return <li class="log-step">{`Step ${event.n} of ${event.total}: ${event.title}`}</li>;
    case "line":
      return <li>{event.text}</li>;
    case "warn":
      return <li class="log-warn">{`Warning: ${event.text}`}</li>;
    case "wait":
      return event.phase === "start" && !ended.has(event.label) ? <li class="log-wait">{`${event.label}…`}</li> : undefined;
    default:
      return undefined;
  }
}

/** What the run is doing now: the open wait, else its last line. */
function activity(run: Run): string {
  const open = new Map<string, boolean>();
  let last = "Starting…";
  for (const e of run.events) {
    if (e.type === "wait") open.set(e.label, e.phase === "start");
    if (e.type === "line" || e.type === "warn") last = e.text;
    if (e.type === "step") last = `Step ${e.n} of ${e.total}: ${e.title}`;
  }
  const waiting = [...open].filter(([, on]) => on).map(([label]) => label).pop();
  return waiting ? `${waiting}…` : last;
}

/**
 * While a run works: what it does now, its log, and its question when it waits for an answer.
 * `anchor`: the id the page's address names as its fragment (#…). With a fragment, browsers skip
 * `autofocus` (HTML, "flush autofocus candidates"), and opening the fragment focuses the element
 * with that id — or clears the focus when it cannot take one. So the question's first field
 * carries the id; the page script focuses it too, for a reload, which restores the scroll instead.
 */
export function RunPanel(props: { run: Run; csrf: string; title: string; intro?: string; anchor?: string }) {
  const { run } = props;
  return (
    <section class="run" aria-labelledby="run-title">
      <h2 id="run-title">{run.question ? "Your answer is needed" : props.title}</h2>
      {run.question ? (
        <QuestionForm run={run} question={run.question} csrf={props.csrf} anchor={props.anchor} />
      ) : (
        <>
          {props.intro ? <p>{props.intro}</p> : undefined}
          <p class="working">
            <span class="spinner" aria-hidden="true"></span>
            <span>
              Now: <span id="run-now">{activity(run)}</span>
            </span>
          </p>
          <p class="help">This page updates by itself when the work is done.</p>
        </>
      )}
      <noscript>
        <p>Reload this page to see the progress.</p>
      </noscript>
      <RunLog run={run} live={true} />
    </section>
  );
}

function QuestionForm(props: { run: Run; question: Question; csrf: string; anchor: string | undefined }) {
  const { run, question, csrf, anchor } = props;
  const hidden = (
    <>
      <Csrf token={csrf} />
      <input type="hidden" name="run" value={String(run.id)} />
      <input type="hidden" name="question" value={String(question.id)} />
    </>
  );
  const problem = question.problem ? (
    <p class="problem" role="alert" id="answer-problem">
      {question.problem}
    </p>
  ) : undefined;
  if (question.kind === "choose") {
    return (
      <form method="post" action="/run/answer" class="question">
        {hidden}
        <fieldset>
          <legend>{question.text}</legend>
          {question.choices.map((choice, i) => (
            <label class="choice">
              <input type="radio" name="choice" value={String(i)} required autofocus={i === 0} id={i === 0 ? anchor : undefined} /> {choice}
            </label>
          ))}
        </fieldset>
        {problem}
        <button type="submit" class="primary">
          Continue with this account
        </button>
      </form>
    );
  }
  if (question.kind === "ask") {
    return (
      <form method="post" action="/run/answer" class="question">
        {hidden}
        <label for={anchor ?? "answer-text"}>{question.text}</label>
        <input id={anchor ?? "answer-text"} name="text" type="text" required autofocus />
        {problem}
        <button type="submit" class="primary">
          Answer
        </button>
      </form>
    );
  }
  const { details } = question;
  return (
    <form method="post" action="/run/answer" class="question">
      {hidden}
      <p class="question-text">{details.items && details.lead ? details.lead : question.text}</p>
      {details.help ? <p class="help">{details.help}</p> : undefined}
      {details.items ? (
        <ul class="items">
          {details.items.map((item) => (
            <li>{item}</li>
          ))}
        </ul>
      ) : undefined}
      {details.typeToConfirm !== undefined ? (
        <p>
          <label for={anchor ?? "typed"}>
            {details.typeWhat !== undefined ? (
              <>
                Type {details.typeWhat}, <code>{details.typeToConfirm}</code>, to confirm:
              </>
            ) : (
              <>
                Type <code>{details.typeToConfirm}</code> to confirm:
              </>
            )}
          </label>
          <input id={anchor ?? "typed"} name="typed" type="text" autocomplete="off" spellcheck={false} autofocus aria-describedby={question.problem ? "answer-problem" : undefined} />
        </p>
      ) : undefined}
      {problem}
      <div class="buttons">
        <button
          type="submit"
          name="answer"
          value="yes"
          class={details.typeToConfirm !== undefined ? "danger" : "primary"}
          autofocus={details.typeToConfirm === undefined}
          id={details.typeToConfirm === undefined ? anchor : undefined}
        >
          {details.yes ?? "Yes"}
        </button>
        <button type="submit" name="answer" value="no" class="secondary">
          {details.no ?? "No"}
        </button>
      </div>
    </form>
  );
}

/** A failed run: what happened, what Cloudflare said, what to do, and Retry. */
export function ErrorCard(props: { run: Run; report: ErrorReport; csrf: string; retry?: boolean; listMissing?: boolean }) {
  const { report } = props;
  return (
    <section class="error" role="alert" aria-labelledby="error-title">
      <h2 id="error-title">This stopped: {report.message}</h2>
      {report.missingPermissions && props.listMissing !== false ? (
        <ul class="items">
          {report.missingPermissions.map((p) => (
            <li>{p}</li>
          ))}
        </ul>
      ) : undefined}
      {report.apiErrors && report.apiErrors.length > 0 ? (
        <p>
          Cloudflare answered:{" "}
          {report.apiErrors.map((e, i) => (
            <>
              {i > 0 ? "; " : ""}
              <q>{e.message}</q> (code {String(e.code)})
            </>
          ))}
        </p>
      ) : undefined}
      {report.hint ? (
        <div class="hint">
          <h3>What to do</h3>
          {report.hint.split("\n").map((line) => (
            <p>{line}</p>
          ))}
        </div>
      ) : undefined}
      {props.retry !== false ? (
        <form method="post" action="/run/retry" class="inline">
          <Csrf token={props.csrf} />
          <input type="hidden" name="run" value={String(props.run.id)} />
          <button type="submit" class="primary">
            Retry
          </button>
        </form>
      ) : undefined}
    </section>
  );
}
