/**
 * Pure verification of the id_token Cloudflare Access returns at /callback (OpenID Connect Core
 * §3.1.3.7): RS256 only, the key chosen by `kid`, issuer, audience, nonce, and exp/nbf/iat with a
 * bounded clock skew. Takes the time and the keys as arguments and returns a tagged result.
 */
import { decodeProtectedHeader, errors, importJWK, jwtVerify, type JWK, type JWTPayload } from "jose";

/** The only signature algorithm accepted (Access signs with RS256; `none` and HMAC are refused). */
const ID_TOKEN_ALGORITHM = "RS256";
/** Allowed clock difference between Access and the Worker, in seconds. */
const ID_TOKEN_CLOCK_SKEW_SECONDS = 60;

export type IdTokenFailure =
  | "malformed"
  | "algorithm_not_allowed"
  | "missing_kid"
  | "unknown_kid"
  | "unusable_key"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "wrong_authorized_party"
  | "nonce_mismatch"
  | "expired"
  | "not_yet_valid"
  | "issued_in_future"
  | "missing_claim";

/** What the Worker keeps from a verified id_token. */
export interface VerifiedIdentity {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export type IdTokenResult = { ok: true; identity: VerifiedIdentity } | { ok: false; reason: IdTokenFailure; detail?: string };

export interface IdTokenExpectations {
  issuer: string;
  /** Our client id at Access: the id_token's `aud` must contain it. */
  audience: string;
  /** The nonce sent in this browser's authorization request. */
  nonce: string;
  /**
   * `login` (the default): the token answers this browser's sign-in and must carry `nonce`.
   * `refresh`: the token came with a refresh at the token endpoint, where OIDC Core §12.2 lets it
   * omit the nonce, but a nonce it does carry must be the sign-in's.
   */
  purpose?: "login" | "refresh";
  /** Current time, in seconds since the epoch. */
  nowSeconds: number;
}

/** The header fields needed to pick a key before verifying, or a failure for a token that is not a JWS. */
export function readIdTokenHeader(token: string): { ok: true; alg: string; kid?: string } | { ok: false; reason: IdTokenFailure } {
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== "string") return { ok: false, reason: "malformed" };
    return { ok: true, alg: header.alg, ...(typeof header.kid === "string" ? { kid: header.kid } : {}) };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}

/**
 * Verifies `token` against `keys` (public JWKs by `kid`) and `expected`. Checks, in order: the
 * header's `alg` is RS256 and it names a known `kid` (RFC 7515 §4.1.4), the signature, `iss`,
 * `aud` (and `azp` when there are several audiences), `exp`/`nbf`/`iat` within
 * ID_TOKEN_CLOCK_SKEW_SECONDS, and `nonce` equal to the one this browser sent (OIDC Core §3.1.2.1;
 * for a refreshed token, §12.2: absent, or equal to the sign-in's).
 */
export async function verifyIdToken(
  token: string,
  keys: ReadonlyMap<string, JWK>,
  expected: IdTokenExpectations,
): Promise<IdTokenResult> {
  const header = readIdTokenHeader(token);
  if (!header.ok) return header;
  if (header.alg !== ID_TOKEN_ALGORITHM) return { ok: false, reason: "algorithm_not_allowed", detail: header.alg };
  if (!header.kid) return { ok: false, reason: "missing_kid" };
  const jwk = keys.get(header.kid);
  if (!jwk) return { ok: false, reason: "unknown_kid", detail: header.kid };
  if (jwk.kty !== "RSA" || (jwk.alg !== undefined && jwk.alg !== ID_TOKEN_ALGORITHM) || (jwk.use !== undefined && jwk.use !== "sig")) {
    return { ok: false, reason: "unusable_key", detail: header.kid };
  }

  let payload: JWTPayload;
  try {
    const key = await importJWK({ ...jwk, alg: ID_TOKEN_ALGORITHM }, ID_TOKEN_ALGORITHM);
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ID_TOKEN_ALGORITHM],
      issuer: expected.issuer,
      audience: expected.audience,
      currentDate: new Date(expected.nowSeconds * 1000),
      clockTolerance: ID_TOKEN_CLOCK_SKEW_SECONDS,
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    }));
  } catch (error) {
    return { ok: false, ...classify(error) };
  }

  if (typeof payload.iat !== "number") return { ok: false, reason: "missing_claim", detail: "iat" };
  if (payload.iat > expected.nowSeconds + ID_TOKEN_CLOCK_SKEW_SECONDS) return { ok: false, reason: "issued_in_future" };
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.length > 1 && payload.azp !== expected.audience) return { ok: false, reason: "wrong_authorized_party" };
  const nonceOptional = expected.purpose === "refresh" && payload.nonce === undefined;
  if (!nonceOptional && (typeof payload.nonce !== "string" || !constantTimeEqual(payload.nonce, expected.nonce))) {
    return { ok: false, reason: "nonce_mismatch" };
  }
  if (typeof payload.sub !== "string" || payload.sub === "") return { ok: false, reason: "missing_claim", detail: "sub" };

  const identity: VerifiedIdentity = { sub: payload.sub };
  if (typeof payload.email === "string") identity.email = payload.email;
  if (typeof payload.email_verified === "boolean") identity.emailVerified = payload.email_verified;
  if (typeof payload.name === "string") identity.name = payload.name;
  return { ok: true, identity };
}

function classify(error: unknown): { reason: IdTokenFailure; detail?: string } {
  if (error instanceof errors.JWTExpired) return { reason: "expired" };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return { reason: "missing_claim", detail: error.claim };
    switch (error.claim) {
      case "iss":
        return { reason: "wrong_issuer", detail: "iss" };
      case "aud":
        return { reason: "wrong_audience", detail: "aud" };
      case "nbf":
        return { reason: "not_yet_valid" };
      case "iat":
        return { reason: "issued_in_future" };
      default:
        return { reason: "missing_claim", detail: error.claim };
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return { reason: "bad_signature" };
  if (error instanceof errors.JOSEAlgNotAllowed) return { reason: "algorithm_not_allowed" };
  return { reason: "malformed", detail: error instanceof Error ? error.name : undefined };
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}
