/**
 * Keys the consent step derives from COOKIE_ENCRYPTION_KEY: one HMAC key for CSRF tokens and one
 * secret for the library's remembered-approval cookie. Separate labels keep the two uses apart.
 */

export interface ConsentKeys {
  /** HMAC-SHA256 key that signs consent-form CSRF tokens. */
  csrfKey: CryptoKey;
  /** Secret (64 hex characters) that signs the `__Host-` approvals cookie. */
  rememberSecret: string;
}

const CSRF_LABEL = "mcpbox consent csrf v1";
const REMEMBER_LABEL = "mcpbox consent remember v1";
const cache = new Map<string, Promise<ConsentKeys>>();

/** Derives (once per key per isolate) the consent keys from the 32-byte cookie key. */
export function consentKeys(cookieKey: Uint8Array): Promise<ConsentKeys> {
  const id = hex(cookieKey);
  let keys = cache.get(id);
  if (!keys) {
    keys = derive(cookieKey);
    cache.set(id, keys);
  }
  return keys;
}

async function derive(cookieKey: Uint8Array): Promise<ConsentKeys> {
  const master = await crypto.subtle.importKey("raw", cookieKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const label = (text: string) => crypto.subtle.sign("HMAC", master, new TextEncoder().encode(text));
  const csrfBytes = await label(CSRF_LABEL);
  const csrfKey = await crypto.subtle.importKey("raw", csrfBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return { csrfKey, rememberSecret: hex(new Uint8Array(await label(REMEMBER_LABEL))) };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
