/**
 * Service token check (design layer 8): `X-MCPbox-Service-Token` must equal one of the configured
 * tokens (two during a rotation). Compared in constant time over SHA-256 digests, so neither the
 * content nor the length of a token leaks through timing. Missing or wrong → 403, never 401
 * (a 401 would send MCP clients back into OAuth), and there is no unauthenticated mode.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { MCPBOX_HEADERS } from "@mcpbox/shared";
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";

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

const MISSING = refusal("token_missing", `Forbidden: the ${MCPBOX_HEADERS.serviceToken} header is missing; only the MCPbox Worker may call this gateway`);
const INVALID = refusal("token_invalid", `Forbidden: the ${MCPBOX_HEADERS.serviceToken} header does not match; only the MCPbox Worker may call this gateway`);

/** Builds the check: a 403 refusal for a presented token that is missing or wrong, else undefined. */
export function createServiceTokenCheck(tokens: readonly string[]): (presented: string | undefined) => Refusal | undefined {
  const verify = createTokenVerifier(tokens);
  return (presented) => {
    const result = verify(presented);
    return result === "ok" ? undefined : result === "missing" ? MISSING : INVALID;
  };
}
