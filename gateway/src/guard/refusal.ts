/**
 * A refusal decided by one of the gateway's checks: the error to answer with and how (ids of the
 * refused requests, a batch, another status, Retry-After). Checks return refusals rather than
 * answering, so the Node listener and the web app send them the same way.
 */
import { GatewayError } from "../errors";
import type { ErrorResponseOptions, GatewayErrorCode } from "../errors";

export interface Refusal {
  readonly refused: GatewayError;
  readonly options?: ErrorResponseOptions;
}

/** A refusal with `code` and `message` (shown to the MCP client as is). */
export function refusal(code: GatewayErrorCode, message: string, options?: ErrorResponseOptions): Refusal {
  return { refused: new GatewayError(code, message), options };
}

/** True for a Refusal (as opposed to the value a check returns on success). */
export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && (value as Refusal).refused instanceof GatewayError;
}
