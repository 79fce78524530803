/**
 * CSRF tokens for the consent form: an HMAC over the consent handle and the client id the page
 * was rendered for. The handle is bound to this browser by the `__Host-` transaction cookie; the
 * token ties the form to that handle and that client, so a post for another client is refused.
 */
import { base64url, decodeBase64url } from "../http/encoding";

/** The token to embed in the consent form for `handle` and `clientId`. */
export async function issueCsrfToken(key: CryptoKey, handle: string, clientId: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, message(handle, clientId));
  return base64url(new Uint8Array(mac));
}

/** True when `token` was issued for exactly this handle and client (constant-time comparison). */
export async function verifyCsrfToken(key: CryptoKey, token: string, handle: string, clientId: string): Promise<boolean> {
  const mac = decodeBase64url(token, 128);
  if (!mac || mac.length !== 32) return false;
  return crypto.subtle.verify("HMAC", key, mac, message(handle, clientId));
}

function message(handle: string, clientId: string): Uint8Array {
  return new TextEncoder().encode(`consent-csrf\u0000${handle}\u0000${clientId}`);
}
