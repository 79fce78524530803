/**
 * How the local stack reports: one line per event, tagged with the component it concerns, so the
 * terminal shows who said what (`[gateway] ready …`). Tests collect the same lines in memory.
 */

export type StackComponent = "stack" | "idp" | "gateway" | "worker" | "audit";
export type StackLogLevel = "info" | "warn" | "error";

/** Receives every line the stack and its components emit. Never pass secrets or tokens. */
export type StackLog = (component: StackComponent, level: StackLogLevel, message: string) => void;

const WIDTH = Math.max(...(["stack", "idp", "gateway", "worker", "audit"] as const).map((name) => name.length)) + 2;

/** Formats one line as `[component] message` (with `warning:`/`error:` where it applies). */
export function formatLogLine(component: StackComponent, level: StackLogLevel, message: string): string {
  const tag = `[${component}]`.padEnd(WIDTH + 1);
  const prefix = level === "info" ? "" : `${level === "warn" ? "warning" : "error"}: `;
  return `${tag}${prefix}${message}`;
}

/** Writes info lines to stdout and warnings and errors to stderr. */
export const consoleStackLog: StackLog = (component, level, message) => {
  const stream = level === "info" ? process.stdout : process.stderr;
  for (const line of message.split("\n")) stream.write(`${formatLogLine(component, level, line)}\n`);
};

/** Discards everything. */
export const silentStackLog: StackLog = () => {};
