/**
 * PKCE for every client. OAuth 2.1 (draft-ietf-oauth-v2-1 §4.1.1) and the MCP authorization spec
 * require a code_challenge from public and confidential clients alike; the OAuth library enforces
 * it for public clients only, so authorization requests without one are refused here.
 */
import { AuthorizationError, type AuthRequest } from "@cloudflare/workers-oauth-provider";

/**
 * Throws an AuthorizationError that redirects back to the client with `invalid_request` when the
 * request has no code_challenge. The library has already refused any method other than S256 and
 * validated the client and its exact redirect URI, so the redirect is safe (RFC 6749 §4.1.2.1).
 */
export function requirePkce(authRequest: AuthRequest): void {
  if (authRequest.codeChallenge) return;
  throw new AuthorizationError("invalid_request", {
    description: "PKCE is required for every client: send code_challenge with code_challenge_method=S256.",
    redirectUri: authRequest.redirectUri,
    ...(authRequest.state ? { state: authRequest.state } : {}),
    ...(authRequest.issuer ? { issuer: authRequest.issuer } : {}),
  });
}
