/**
 * Questions to the person at the terminal. Flags and prompts share one path: when there is no TTY
 * (or with --yes / --json) the prompter is non-interactive and callers fail with a message naming
 * the flag that answers the question instead.
 */
import { createInterface } from "node:readline/promises";

export interface Prompter {
  readonly interactive: boolean;
  /** Yes/no; the default answer is no. */
  confirm(question: string): Promise<boolean>;
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
