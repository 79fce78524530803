/**
 * Checks on a validated authorization request that the OAuth library leaves to the server, and
 * the error redirect back to the client: PKCE `code_challenge` syntax (RFC 7636 §4.2) and the
 * OpenID Connect `prompt` parameter (OIDC Core §3.1.2.1), which some MCP clients send.
 */
import type { AuthRequest } from "@cloudflare/workers-oauth-provider";

/** RFC 7636 §4.1/§4.2: 43 to 128 characters of the unreserved base64url alphabet. */
const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43,128}$/;

/** Why the request's `code_challenge` is unusable, or undefined when it is well formed. */
export function codeChallengeProblem(authRequest: AuthRequest): string | undefined {
  const challenge = authRequest.codeChallenge;
  if (challenge === undefined || CODE_CHALLENGE_PATTERN.test(challenge)) return undefined;
  return "code_challenge must be 43 to 128 base64url characters (RFC 7636 section 4.2)";
}

/** The `prompt` values of the request (space-separated, OIDC Core §3.1.2.1). */
export function promptValues(request: Request): ReadonlySet<string> {
  const prompt = new URL(request.url).searchParams.get("prompt") ?? "";
  return new Set(prompt.split(" ").filter(Boolean));
}

/**
 * The error redirect to the client's validated redirect URI (RFC 6749 §4.1.2.1) with `state` and
 * `iss` (RFC 9207). Only for a request the library validated (client and exact redirect URI).
 */
export function clientErrorRedirect(authRequest: AuthRequest, code: string, description: string): string {
  const url = new URL(authRequest.redirectUri);
  for (const name of ["code", "error", "error_description", "error_uri", "state", "iss"]) url.searchParams.delete(name);
  url.searchParams.set("error", code);
  url.searchParams.set("error_description", description);
  if (authRequest.state) url.searchParams.set("state", authRequest.state);
  if (authRequest.issuer) url.searchParams.set("iss", authRequest.issuer);
  return url.href;
}
