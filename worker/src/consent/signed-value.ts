/**
 * Signed JSON values for cookies: `base64url(json).base64url(HMAC-SHA256(context ‖ payload))`.
 * The context string binds a value to one use (a transaction, the approvals list), so a value
 * signed for one cookie is refused by another even under the same key.
 */
import { base64url, decodeBase64url } from "../http/encoding";

const MAX_VALUE_CHARS = 4096;

/** Signs `value` for `context`. */
export async function signJson(key: CryptoKey, context: string, value: unknown): Promise<string> {
  const payload = base64url(new TextEncoder().encode(JSON.stringify(value)));
  const mac = await crypto.subtle.sign("HMAC", key, signedBytes(context, payload));
  return `${payload}.${base64url(new Uint8Array(mac))}`;
}

/** The parsed JSON of a value signed for `context`, or undefined when the signature or shape is wrong. */
export async function verifyJson(key: CryptoKey, context: string, text: string | undefined): Promise<unknown> {
  if (text === undefined || text.length > MAX_VALUE_CHARS) return undefined;
  const [payload = "", signature = "", extra] = text.split(".");
  if (extra !== undefined) return undefined;
  const mac = decodeBase64url(signature, 64);
  const json = decodeBase64url(payload, MAX_VALUE_CHARS);
  if (!mac || mac.length !== 32 || !json) return undefined;
  if (!(await crypto.subtle.verify("HMAC", key, mac, signedBytes(context, payload)))) return undefined;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(json));
  } catch {
    // Signed by us, so never malformed in practice; refuse rather than guess.
    return undefined;
  }
}

function signedBytes(context: string, payload: string): Uint8Array {
  return new TextEncoder().encode(`${context}\u0000${payload}`);
}
