/**
 * Progress as data: a Reporter that turns every step header, result line, warning and wait into a
 * typed event for a listener (the web wizard streams them to the page as server-sent events).
 * The events carry the same text the terminal reporter prints, so both faces say the same thing.
 */
import type { Reporter } from "./reporter";

export type ProgressEvent =
  | { type: "step"; n: number; total: number; title: string }
  | { type: "line"; text: string }
  | { type: "warn"; text: string }
  | { type: "wait"; label: string; phase: "start" | "end" };

/** A reporter that hands each event to `emit`; `wait` emits a start and an end around `work`. */
export function createEventReporter(emit: (event: ProgressEvent) => void): Reporter {
  return {
    step(n, total, title) {
      emit({ type: "step", n, total, title });
    },
    line(text) {
      emit({ type: "line", text });
    },
    warn(text) {
      emit({ type: "warn", text });
    },
    async wait(label, work) {
      emit({ type: "wait", label, phase: "start" });
      try {
        return await work();
      } finally {
        emit({ type: "wait", label, phase: "end" });
      }
    },
  };
}
