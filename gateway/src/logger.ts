/**
 * The gateway's own diagnostics (startup, child processes, failures). They go to stderr so stdout
 * stays free for the audit log. Never pass secrets, tokens or message contents here.
 */

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs to stderr with a prefix. */
export const stderrLogger: Logger = {
  info: (message) => void process.stderr.write(`mcpbox gateway: ${message}\n`),
  warn: (message) => void process.stderr.write(`mcpbox gateway: warning: ${message}\n`),
  error: (message) => void process.stderr.write(`mcpbox gateway: error: ${message}\n`),
};

/** Discards everything (tests and benchmarks). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
