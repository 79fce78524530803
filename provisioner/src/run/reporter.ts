/**
 * Progress output: "Step n of 6" headers and result lines, a spinner while waiting when the
 * stream is a terminal, plain lines otherwise. Progress goes to stderr when --json owns stdout.
 */

export interface Reporter {
  /** Starts step `n` of `total`. */
  step(n: number, total: number, title: string): void;
  /** A result line inside the current step. */
  line(text: string): void;
  warn(text: string): void;
  /** Shows `label` while `work` runs: a spinner on a TTY, one line otherwise. */
  wait<T>(label: string, work: () => Promise<T>): Promise<T>;
}

export interface WritableLike {
  write(chunk: string): unknown;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A reporter writing to `stream`; `tty` enables the spinner (ANSI line rewriting). */
export function createReporter(stream: WritableLike, tty: boolean): Reporter {
  return {
    step(n, total, title) {
      stream.write(`\nStep ${n} of ${total}: ${title}\n`);
    },
    line(text) {
      stream.write(`  ${text}\n`);
    },
    warn(text) {
      stream.write(`  ! ${text}\n`);
    },
    async wait(label, work) {
      if (!tty) {
        stream.write(`  … ${label}\n`);
        return work();
      }
      const started = Date.now();
      let frame = 0;
      const draw = () => {
        const seconds = Math.floor((Date.now() - started) / 1000);
        stream.write(`\r\x1b[K  ${FRAMES[frame % FRAMES.length]} ${label}${seconds > 0 ? ` (${seconds}s)` : ""}`);
        frame += 1;
      };
      draw();
      const timer = setInterval(draw, 80);
      try {
        return await work();
      } finally {
        clearInterval(timer);
        stream.write("\r\x1b[K");
      }
    },
  };
}

/** A reporter that prints nothing (library use). */
export const silentReporter: Reporter = {
  step() {},
  line() {},
  warn() {},
  wait: (_label, work) => work(),
};
