/**
 * Service token check, the proof that a request came through the Worker: `X-MCPbox-Service-Token`
 * must equal one of the configured tokens (two during a rotation). Compared in constant time, so neither the content nor the
 * length of a token leaks through timing: every comparison runs crypto.timingSafeEqual over the
 * same fixed number of bytes (every configured token fits, padded with zeros), and the lengths are
 * compared as numbers, never by stopping early. Missing or wrong → 403, never 401 (a 401 would
 * send MCP clients back into OAuth), and there is no unauthenticated mode.
 */
import { timingSafeEqual } from "node:crypto";
import { MCPBOX_HEADERS } from "@mcpbox/shared";
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";

export type TokenCheck = "ok" | "missing" | "invalid";

// The comparison width is a multiple of this, so it says nothing about any token's length.
const WIDTH_STEP = 256;

/**
 * Builds a verifier for the configured tokens. Every presented value is compared with every
 * token (no early exit): its UTF-8 bytes, zero-padded (or cut) to a width longer than every
 * token, against each token padded alike, with crypto.timingSafeEqual, and its byte length
 * against the token's. A value that only starts like a token, or is one plus more, fails on
 * its length; no value can contain the padding's NUL (HTTP forbids it in a field value), and
 * the length comparison refuses it anyway. Unlike hashing both sides first, nothing here calls
 * into OpenSSL per request.
 */
export function createTokenVerifier(tokens: readonly string[]): (presented: string | undefined) => TokenCheck {
  if (tokens.length === 0) throw new Error("at least one service token is required");
  const width = Math.ceil((Math.max(...tokens.map((t) => Buffer.byteLength(t))) + 1) / WIDTH_STEP) * WIDTH_STEP;
  const expected = tokens.map((token) => {
    const bytes = Buffer.alloc(width);
    return { bytes, length: bytes.write(token, "utf8") };
  });
  // One scratch buffer for every check: the check is synchronous, so no two ever share it.
  const scratch = Buffer.alloc(width);
  return (presented) => {
    if (presented === undefined || presented === "") return "missing";
    const written = scratch.write(presented, "utf8");
    scratch.fill(0, written);
    // Under a third of the width in UTF-16 units, the value fitted whole (3 bytes per unit at
    // most), so the bytes written are its length; only a longer value is measured again.
    const length = presented.length * 3 < width ? written : Buffer.byteLength(presented, "utf8");
    let matches = 0;
    for (const candidate of expected) matches |= Number(timingSafeEqual(scratch, candidate.bytes)) & Number(length === candidate.length);
    return matches === 1 ? "ok" : "invalid";
  };
}

const MISSING = refusal(
  "token_missing",
  `Forbidden: the ${MCPBOX_HEADERS.serviceToken} header is missing; only the MCPbox Worker may call this gateway`,
);
const INVALID = refusal(
  "token_invalid",
  `Forbidden: the ${MCPBOX_HEADERS.serviceToken} header does not match; only the MCPbox Worker may call this gateway`,
);

/** Builds the check: a 403 refusal for a presented token that is missing or wrong, else undefined. */
export function createServiceTokenCheck(tokens: readonly string[]): (presented: string | undefined) => Refusal | undefined {
  const verify = createTokenVerifier(tokens);
  return (presented) => {
    const result = verify(presented);
    return result === "ok" ? undefined : result === "missing" ? MISSING : INVALID;
  };
}
