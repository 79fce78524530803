/**
 * Failures of the local stack that the person running `npm start` can fix themselves: a taken
 * port, a malformed setting, an unreadable `.dev.vars`. Each carries a typed code and a message
 * that names the variable or file to change; start.ts prints the message and exits 1.
 */

export type StackErrorCode = "port_in_use" | "port_not_allowed" | "config_invalid" | "dev_vars_invalid" | "component_failed";

/** A problem with the local setup; `message` says what to change. */
export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StackError";
  }
}
