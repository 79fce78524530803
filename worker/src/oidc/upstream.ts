/**
 * The Worker's side of the OpenID Connect code flow with Cloudflare Access for SaaS: the
 * authorization redirect (state, nonce, PKCE S256; RFC 7636) and the code exchange at the token
 * endpoint (client_secret_post). Results are tagged; nothing from Access's error bodies is shown.
 */
import { ACCESS_OIDC_SCOPES } from "@mcpbox/shared";
import type { AccessSettings } from "../env";
import { base64url } from "../http/encoding";

const TOKEN_EXCHANGE_TIMEOUT_MS = 10_000;
const TOKEN_RESPONSE_MAX_BYTES = 64 * 1024;

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
export async function pkceChallenge(verifier: string): Promise<string> {
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
  url.searchParams.set("scope", ACCESS_OIDC_SCOPES.join(" "));
  url.searchParams.set("state", params.state);
  url.searchParams.set("nonce", params.login.nonce);
  url.searchParams.set("code_challenge", await pkceChallenge(params.login.verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.href;
}

export type CodeExchangeResult =
  | { ok: true; idToken: string }
  | { ok: false; reason: "unreachable" | "timeout" | "rejected" | "bad_response" | "no_id_token"; status?: number; oauthError?: string };

/** Exchanges the authorization code at ACCESS_TOKEN_URL (OIDC Core §3.1.3.1) and returns the id_token. */
export async function exchangeCode(
  access: AccessSettings,
  params: { code: string; redirectUri: string; verifier: string },
): Promise<CodeExchangeResult> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: params.code,
    redirect_uri: params.redirectUri,
    code_verifier: params.verifier,
    client_id: access.clientId,
    client_secret: access.clientSecret,
  });
  let response: Response;
  try {
    response = await fetch(access.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: body.toString(),
      // Never re-send the client secret to wherever a redirect points.
      redirect: "manual",
      signal: AbortSignal.timeout(TOKEN_EXCHANGE_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, reason: error instanceof Error && error.name === "TimeoutError" ? "timeout" : "unreachable" };
  }
  const text = await response.text();
  let parsed: Record<string, unknown> | undefined;
  if (text.length <= TOKEN_RESPONSE_MAX_BYTES) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === "object" && value !== null) parsed = value as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const oauthError = typeof parsed?.error === "string" ? parsed.error.slice(0, 64) : undefined;
    return { ok: false, reason: "rejected", status: response.status, ...(oauthError ? { oauthError } : {}) };
  }
  if (!parsed) return { ok: false, reason: "bad_response", status: response.status };
  if (typeof parsed.id_token !== "string") return { ok: false, reason: "no_id_token" };
  return { ok: true, idToken: parsed.id_token };
}

function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

