/**
 * The Worker's side of the OpenID Connect code flow with Cloudflare Access for SaaS: the
 * authorization redirect (state, nonce, PKCE S256; RFC 7636) and the code exchange at the token
 * endpoint. Results are tagged; nothing from Access's error bodies is shown.
 */
import { ACCESS_OFFLINE_SCOPE, ACCESS_OIDC_SCOPES } from "@mcpbox/shared";
import type { AccessSettings } from "../env";
import { base64url } from "../http/encoding";
import { postTokenRequest } from "./token-endpoint";

/** What `beginUpstream()` stores (encrypted, server-side) for this browser until /callback. */
export interface UpstreamLoginData {
  verifier: string;
  nonce: string;
}

/** Validates the stored login data read back at the callback. */
export function parseUpstreamLoginData(value: unknown): UpstreamLoginData | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { verifier, nonce } = value as Record<string, unknown>;
  return typeof verifier === "string" && typeof nonce === "string" ? { verifier, nonce } : undefined;
}

/** A fresh PKCE verifier (256 bits) and nonce (256 bits), both base64url. */
export function newLoginSecrets(): UpstreamLoginData {
  return { verifier: randomToken(32), nonce: randomToken(32) };
}

/** The S256 code challenge of a verifier (RFC 7636 §4.2). */
async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The Access authorization URL for this login. */
export async function accessAuthorizationUrl(
  access: AccessSettings,
  params: { redirectUri: string; state: string; login: UpstreamLoginData },
): Promise<string> {
  const url = new URL(access.authorizationUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", access.clientId);
  url.searchParams.set("redirect_uri", params.redirectUri);
  // offline_access asks for the refresh token the Worker re-checks the user with (OIDC Core §11).
  url.searchParams.set("scope", [...ACCESS_OIDC_SCOPES, ACCESS_OFFLINE_SCOPE].join(" "));
  url.searchParams.set("state", params.state);
  url.searchParams.set("nonce", params.login.nonce);
  url.searchParams.set("code_challenge", await pkceChallenge(params.login.verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.href;
}

export type CodeExchangeResult =
  | { ok: true; idToken: string; refreshToken?: string }
  | { ok: false; reason: "unreachable" | "timeout" | "rejected" | "bad_response" | "no_id_token"; status?: number; oauthError?: string };

/**
 * Exchanges the authorization code at ACCESS_TOKEN_URL (OIDC Core §3.1.3.1) and returns the
 * id_token, and Access's refresh token when the app issues them (the Worker keeps it to re-check
 * the user at Access later).
 */
export async function exchangeCode(
  access: AccessSettings,
  params: { code: string; redirectUri: string; verifier: string },
): Promise<CodeExchangeResult> {
  const result = await postTokenRequest(access, {
    grant_type: "authorization_code",
    code: params.code,
    redirect_uri: params.redirectUri,
    code_verifier: params.verifier,
  });
  if (!result.ok) {
    const { reason, status, oauthError } = result;
    return { ok: false, reason, ...(status !== undefined ? { status } : {}), ...(oauthError ? { oauthError } : {}) };
  }
  const { id_token: idToken, refresh_token: refreshToken } = result.body;
  if (typeof idToken !== "string") return { ok: false, reason: "no_id_token" };
  return { ok: true, idToken, ...(typeof refreshToken === "string" && refreshToken !== "" ? { refreshToken } : {}) };
}

function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
