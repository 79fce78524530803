/**
 * How middleware answers a refusal: record the reason in the request's audit record, then send
 * the mapped error response. Nothing after a refusal reaches the upstream.
 */
import type { Context } from "hono";
import type { GatewayEnv } from "../context";
import { GatewayError, errorResponse } from "../errors";
import type { ErrorResponseOptions, GatewayErrorCode } from "../errors";

/** Refuses the request with `code`/`message`, noting the code in the audit record. */
export function refuse(c: Context<GatewayEnv>, code: GatewayErrorCode, message: string, options?: ErrorResponseOptions): Response {
  if (c.env?.audit) c.env.audit.error = code;
  return errorResponse(new GatewayError(code, message), options);
}
