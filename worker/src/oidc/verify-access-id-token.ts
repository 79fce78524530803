/**
 * Verifies an id_token from Cloudflare Access with Access's current signing keys: the key set is
 * read from the JWKS cache for the token's `kid`, then id-token.ts checks everything else. Shared
 * by the sign-in (/callback) and the re-check at refresh, so both apply exactly the same rules.
 */
import type { AccessSettings } from "../env";
import { readIdTokenHeader, verifyIdToken, type IdTokenResult } from "./id-token";
import type { JwksCache } from "./jwks-cache";

/**
 * The verdict on `idToken` for our Access application (issuer, audience = our client id).
 * Throws JwksFetchError when the signing keys cannot be read.
 */
export async function verifyAccessIdToken(
  idToken: string,
  access: AccessSettings,
  jwks: JwksCache,
  expected: { nonce: string; purpose: "login" | "refresh"; nowSeconds: number },
): Promise<IdTokenResult> {
  const header = readIdTokenHeader(idToken);
  const keys = await jwks.keysFor(access.jwksUrl, header.ok ? header.kid : undefined, expected.nowSeconds);
  return verifyIdToken(idToken, keys, { issuer: access.issuer, audience: access.clientId, ...expected });
}
