/**
 * Service token check (design layer 8): `X-MCPbox-Service-Token` must equal one of the configured
 * tokens (two during a rotation). Compared in constant time over SHA-256 digests, so neither the
 * content nor the length of a token leaks through timing. Missing or wrong → 403, never 401
 * (a 401 would send MCP clients back into OAuth), and there is no unauthenticated mode.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { MCPBOX_HEADERS } from "@mcpbox/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context";
import { refuse } from "./refuse";

export type TokenCheck = "ok" | "missing" | "invalid";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/**
 * Builds a verifier for the configured tokens. Every presented value is compared with every
 * token (no early exit), using crypto.timingSafeEqual on fixed-length digests.
 */
export function createTokenVerifier(tokens: readonly string[]): (presented: string | undefined) => TokenCheck {
  if (tokens.length === 0) throw new Error("at least one service token is required");
  const expected = tokens.map(digest);
  return (presented) => {
    if (presented === undefined || presented === "") return "missing";
    const actual = digest(presented);
    let match = false;
    for (const candidate of expected) match = timingSafeEqual(actual, candidate) || match;
    return match ? "ok" : "invalid";
  };
}

/** Refuses with 403 any request without the right service token. */
export function serviceToken(tokens: readonly string[]): MiddlewareHandler<GatewayEnv> {
  const verify = createTokenVerifier(tokens);
  return async (c, next) => {
    const result = verify(c.req.header(MCPBOX_HEADERS.serviceToken));
    if (result === "missing") {
      return refuse(
        c,
        "token_missing",
        `Forbidden: the ${MCPBOX_HEADERS.serviceToken} header is missing; only the MCPbox Worker may call this gateway`,
      );
    }
    if (result === "invalid") {
      return refuse(
        c,
        "token_invalid",
        `Forbidden: the ${MCPBOX_HEADERS.serviceToken} header does not match; only the MCPbox Worker may call this gateway`,
      );
    }
    await next();
  };
}
