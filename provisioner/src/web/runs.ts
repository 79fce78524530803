/**
 * The wizard's long operations ("runs": a setup step, secrets sync, rotation, teardown, a status
 * check, listing or revoking grants), one at a time. A run collects the library's progress events for the page's event stream,
 * and asks its questions through a browser prompter: the run waits until the page answers.
 */
import type { ConfirmDetails, Prompter } from "../run/prompt";
import { createEventReporter, type ProgressEvent } from "../run/progress-events";
import type { Reporter } from "../run/reporter";
import { describeError, type ErrorReport } from "../run/error-report";

export type RunKind = "setup" | "check" | "secrets-sync" | "rotate-start" | "rotate-finish" | "teardown" | "grants-list" | "grants-revoke";

export type RunEvent = ProgressEvent | { type: "question" } | { type: "finished"; ok: boolean };

export type Question =
  | { id: number; kind: "confirm"; text: string; details: ConfirmDetails; problem?: string }
  | { id: number; kind: "choose"; text: string; choices: readonly string[]; problem?: string }
  | { id: number; kind: "ask"; text: string; problem?: string };

export interface Run {
  readonly id: number;
  readonly kind: RunKind;
  /** For setup runs: the last step it runs (the screen it belongs to). */
  readonly step: number | undefined;
  readonly events: RunEvent[];
  status: "running" | "done" | "failed";
  question: Question | undefined;
  result: unknown;
  error: unknown;
  report: ErrorReport | undefined;
  /** Runs the same work again (Retry). */
  readonly retry: () => Run;
}

export interface RunIo {
  reporter: Reporter;
  prompter: Prompter;
}

export class BusyError extends Error {
  constructor() {
    super("Another action is still running; wait for it to finish.");
    this.name = "BusyError";
  }
}

/** Answers from the page, as posted by its forms. */
export interface Answer {
  answer?: string;
  typed?: string;
  choice?: string;
  text?: string;
}

export class RunBoard {
  private last: Run | undefined;
  private nextId = 1;
  private readonly listeners = new Map<number, Set<(event: RunEvent, index: number) => void>>();
  private readonly waiting = new Map<number, (answer: Answer) => string | undefined>();

  /** The run in progress, or the last one that ended. */
  get current(): Run | undefined {
    return this.last;
  }

  get busy(): boolean {
    return this.last?.status === "running";
  }

  /** Starts `work`; throws BusyError while another run is in progress. */
  start(kind: RunKind, step: number | undefined, work: (io: RunIo) => Promise<unknown>): Run {
    if (this.busy) throw new BusyError();
    const run: Run = {
      id: this.nextId++,
      kind,
      step,
      events: [],
      status: "running",
      question: undefined,
      result: undefined,
      error: undefined,
      report: undefined,
      retry: () => this.start(kind, step, work),
    };
    this.last = run;
    const io: RunIo = { reporter: createEventReporter((e) => this.emit(run, e)), prompter: this.prompterFor(run) };
    void work(io).then(
      (result) => {
        run.result = result;
        run.status = "done";
        this.emit(run, { type: "finished", ok: true });
      },
      (error: unknown) => {
        run.error = error;
        run.report = describeError(error);
        run.status = "failed";
        this.emit(run, { type: "finished", ok: false });
      },
    );
    return run;
  }

  /** Forgets a finished run (its outcome was shown). */
  dismiss(runId: number): void {
    if (this.last?.id === runId && this.last.status !== "running") this.last = undefined;
  }

  /** Calls `listener` for each event of `runId` from `from` on; returns the unsubscribe function. */
  subscribe(runId: number, from: number, listener: (event: RunEvent, index: number) => void): () => void {
    const run = this.last?.id === runId ? this.last : undefined;
    if (run) run.events.slice(from).forEach((e, i) => listener(e, from + i));
    const set = this.listeners.get(runId) ?? new Set();
    set.add(listener);
    this.listeners.set(runId, set);
    return () => set.delete(listener);
  }

  /** Answers the open question of `runId`; returns a problem to show when the answer is not valid. */
  answer(runId: number, questionId: number, answer: Answer): string | undefined {
    const run = this.last;
    if (!run || run.id !== runId || run.question?.id !== questionId) return "This question was already answered.";
    const resolve = this.waiting.get(questionId);
    if (!resolve) return "This question was already answered.";
    const problem = resolve(answer);
    if (problem) run.question = { ...run.question, problem };
    return problem;
  }

  private emit(run: Run, event: RunEvent): void {
    run.events.push(event);
    const index = run.events.length - 1;
    for (const listener of this.listeners.get(run.id) ?? []) listener(event, index);
    if (event.type === "finished") this.listeners.delete(run.id);
  }

  /** The interaction interface for one run: each question waits for the page's answer. */
  private prompterFor(run: Run): Prompter {
    let questionIds = 0;
    const ask = <T>(question: Question, accept: (answer: Answer) => { value: T } | { problem: string }): Promise<T> =>
      new Promise<T>((resolve) => {
        run.question = question;
        this.waiting.set(question.id, (answer) => {
          const outcome = accept(answer);
          if ("problem" in outcome) return outcome.problem;
          this.waiting.delete(question.id);
          run.question = undefined;
          resolve(outcome.value);
          return undefined;
        });
        this.emit(run, { type: "question" });
      });
    const nextId = () => run.id * 1000 + ++questionIds;
    return {
      interactive: true,
      confirm: (text, details = {}) =>
        ask<boolean>({ id: nextId(), kind: "confirm", text, details }, (a) => {
          if (a.answer === "no") return { value: false };
          if (a.answer !== "yes") return { problem: "Choose one of the two answers." };
          if (details.typeToConfirm !== undefined && a.typed?.trim() !== details.typeToConfirm) {
            return { problem: `Type ${details.typeToConfirm} exactly to confirm.` };
          }
          return { value: true };
        }),
      choose: (text, choices) =>
        ask<number>({ id: nextId(), kind: "choose", text, choices }, (a) => {
          const index = Number(a.choice);
          return Number.isInteger(index) && index >= 0 && index < choices.length ? { value: index } : { problem: "Choose one of the entries." };
        }),
      ask: (text) =>
        ask<string>({ id: nextId(), kind: "ask", text }, (a) => (a.text?.trim() ? { value: a.text.trim() } : { problem: "An answer is needed." })),
    };
  }
}
