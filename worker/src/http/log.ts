/**
 * Structured log lines for the Worker (one JSON object per line in Workers Logs).
 * Callers pass only names, codes and reasons: never tokens, secrets, cookies or upstream bodies.
 */

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one event; `fields` must already be free of secrets. */
export function logEvent(level: LogLevel, event: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** A short, single-line description of a caught value, for logs (no stack, no body). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}
