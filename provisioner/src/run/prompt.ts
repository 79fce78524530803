/**
 * Questions to the person running a command: the interaction interface every step and command
 * asks through, with a terminal implementation here and a browser one in the web wizard. Flags and
 * prompts share one path: when nobody can be asked (no TTY, --yes, --json) the prompter is
 * non-interactive and callers fail with a message naming the flag that answers the question.
 */
import { createInterface } from "node:readline/promises";

/**
 * What a confirmation is about, for interfaces that can show more than a line of text (the web
 * page): the two answers' labels, the items concerned, and a word to type for destructive answers.
 */
export interface ConfirmDetails {
  /** Label of the "yes" answer, e.g. "Use it for this setup". */
  yes?: string;
  /** Label of the "no" answer, e.g. "Stop". */
  no?: string;
  /** The things the question is about, one entry each (e.g. the resources a teardown deletes). */
  items?: readonly string[];
  /** A short lead for interfaces that list `items` themselves (the question text lists them inline). */
  lead?: string;
  /** A sentence that helps choose, for interfaces with room for it. */
  help?: string;
  /** "Yes" counts only when this exact text is typed (the Worker's name before a teardown). */
  typeToConfirm?: string;
  /** What `typeToConfirm` is, for the label that asks for it (e.g. "the Worker's name"). */
  typeWhat?: string;
}

export interface Prompter {
  readonly interactive: boolean;
  /** Yes/no; the default answer is no. */
  confirm(question: string, details?: ConfirmDetails): Promise<boolean>;
  /** Returns the index of the chosen entry. */
  choose(question: string, choices: readonly string[]): Promise<number>;
  ask(question: string): Promise<string>;
}

/** For --yes, --json and non-TTY runs: asking is a programming error. */
export const nonInteractivePrompter: Prompter = {
  interactive: false,
  confirm: () => Promise.reject(new Error("cannot ask: not interactive")),
  choose: () => Promise.reject(new Error("cannot ask: not interactive")),
  ask: () => Promise.reject(new Error("cannot ask: not interactive")),
};

/** Prompts on the terminal (questions on stderr, so stdout stays clean). */
export function createTtyPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const withInterface = async <T>(fn: (rl: ReturnType<typeof createInterface>) => Promise<T>): Promise<T> => {
    const rl = createInterface({ input, output, terminal: true });
    try {
      return await fn(rl);
    } finally {
      rl.close();
    }
  };
  return {
    interactive: true,
    confirm: (question) => withInterface(async (rl) => /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())),
    choose: (question, choices) =>
      withInterface(async (rl) => {
        const list = choices.map((c, i) => `  ${i + 1}) ${c}`).join("\n");
        for (;;) {
          const answer = Number.parseInt((await rl.question(`${question}\n${list}\nNumber: `)).trim(), 10);
          if (answer >= 1 && answer <= choices.length) return answer - 1;
        }
      }),
    ask: (question) => withInterface(async (rl) => (await rl.question(`${question} `)).trim()),
  };
}
