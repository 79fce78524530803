/**
 * HMAC keys derived from COOKIE_ENCRYPTION_KEY, one per labelled use (HMAC-SHA256 of the label
 * under the master key), cached per isolate. A value made with one label's key is worthless
 * under another's.
 */

const cache = new Map<string, Promise<CryptoKey>>();

/** The HMAC-SHA256 key for `label` derived from the 32-byte cookie key. */
export function derivedHmacKey(cookieKey: Uint8Array, label: string): Promise<CryptoKey> {
  const id = `${Array.from(cookieKey, (byte) => byte.toString(16).padStart(2, "0")).join("")}|${label}`;
  let key = cache.get(id);
  if (!key) {
    key = derive(cookieKey, label);
    cache.set(id, key);
  }
  return key;
}

async function derive(cookieKey: Uint8Array, label: string): Promise<CryptoKey> {
  const master = await crypto.subtle.importKey("raw", cookieKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = await crypto.subtle.sign("HMAC", master, new TextEncoder().encode(label));
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}
