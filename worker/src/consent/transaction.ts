/**
 * The consent transaction without storage: the validated authorization request travels in a
 * signed, short-lived `__Host-` cookie named after the hash of a random handle, and the consent
 * form posts the handle back. Nothing is written to KV until the person approves (then the
 * upstream login state is), so an anonymous consent page costs no KV write.
 */
import type { AuthRequest } from "@cloudflare/workers-oauth-provider";
import { WorkerError } from "../http/errors";
import { base64url, hostCookie, readCookie, sha256Hex } from "../http/encoding";
import { signJson, verifyJson } from "./signed-value";

/** How long a consent page stays valid (the library's transactions lived as long). */
const CONSENT_TRANSACTION_TTL_SECONDS = 600;
const COOKIE_BASE = "__Host-mcpbox-consent";
const CONTEXT = "consent-transaction";
/** Browsers keep cookies up to 4096 bytes; stay clear of it with name and attributes. */
const MAX_COOKIE_VALUE_CHARS = 3800;

export interface ConsentTransaction {
  /** Goes into the consent form; its hash names and is sealed in the cookie. */
  handle: string;
  setCookie: string;
}

/** Starts a consent transaction for a validated request. */
export async function beginConsentTransaction(key: CryptoKey, authRequest: AuthRequest, nowSeconds: number): Promise<ConsentTransaction> {
  const handle = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const hash = await sha256Hex(handle);
  const value = await signJson(key, CONTEXT, { h: hash, e: nowSeconds + CONSENT_TRANSACTION_TTL_SECONDS, r: authRequest });
  if (value.length > MAX_COOKIE_VALUE_CHARS) {
    throw new WorkerError("authorization_invalid", "The app sent a sign-in request too large to hold (its state or redirect URI is very long).", {
      hint: "Nothing was sent back to the app. The app or its configuration needs fixing.",
      log: { reason: "consent_cookie_too_large", chars: value.length },
    });
  }
  return { handle, setCookie: hostCookie(cookieName(hash), value, CONSENT_TRANSACTION_TTL_SECONDS) };
}

/**
 * The request a consent form was shown for, from the cookie bound to `handle`; throws when the
 * cookie is missing (another browser), forged, for another handle, or expired.
 */
export async function openConsentTransaction(
  key: CryptoKey,
  request: Request,
  handle: string,
  nowSeconds: number,
): Promise<{ authRequest: AuthRequest; clearCookie: string }> {
  const hash = await sha256Hex(handle);
  const name = cookieName(hash);
  const record = await verifyJson(key, CONTEXT, readCookie(request, name));
  const parsed = parseRecord(record);
  if (!parsed || parsed.hash !== hash || parsed.expiresAt <= nowSeconds) {
    throw new WorkerError("consent_invalid", "This consent page has expired, was already used, or was opened in another browser.", {
      hint: "Start again from your MCP client.",
      log: { reason: record === undefined ? "consent_cookie_missing" : "consent_cookie_stale" },
    });
  }
  return { authRequest: parsed.authRequest, clearCookie: hostCookie(name, "", 0) };
}

function cookieName(hash: string): string {
  return `${COOKIE_BASE}-${hash.slice(0, 16)}`;
}

function parseRecord(value: unknown): { hash: string; expiresAt: number; authRequest: AuthRequest } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { h, e, r } = value as Record<string, unknown>;
  const authRequest = parseAuthRequest(r);
  if (typeof h !== "string" || typeof e !== "number" || !authRequest) return undefined;
  return { hash: h, expiresAt: e, authRequest };
}

/** An AuthRequest read back from a signed record: every field checked, nothing cast blindly. */
function parseAuthRequest(value: unknown): AuthRequest | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const optional = (x: unknown) => x === undefined || typeof x === "string";
  if (typeof v.responseType !== "string" || typeof v.clientId !== "string" || typeof v.redirectUri !== "string" || typeof v.state !== "string") return undefined;
  if (!Array.isArray(v.scope) || !v.scope.every((s) => typeof s === "string")) return undefined;
  if (!optional(v.codeChallenge) || !optional(v.codeChallengeMethod) || !optional(v.resource) || !optional(v.issuer)) return undefined;
  const request: AuthRequest = { responseType: v.responseType, clientId: v.clientId, redirectUri: v.redirectUri, scope: [...v.scope], state: v.state };
  if (typeof v.codeChallenge === "string") request.codeChallenge = v.codeChallenge;
  if (typeof v.codeChallengeMethod === "string") request.codeChallengeMethod = v.codeChallengeMethod;
  if (typeof v.resource === "string") request.resource = v.resource;
  if (typeof v.issuer === "string") request.issuer = v.issuer;
  return request;
}
