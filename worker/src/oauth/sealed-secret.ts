/**
 * Seals a secret the Worker keeps inside a grant's props (Access's refresh token) with a key only
 * the Worker holds: AES-256-GCM under a key derived from COOKIE_ENCRYPTION_KEY, a random 96-bit IV,
 * and the user's subject as additional data, so a sealed value opens only in that user's grants.
 * The OAuth library already encrypts props with a key wrapped by the client's tokens; this second
 * layer keeps the secret from whoever holds those tokens and a copy of the KV.
 */
import { base64url, decodeBase64url } from "../http/encoding";

const SEAL_LABEL = "mcpbox access refresh token v1";
/** Access refresh tokens are opaque; this bounds what we try to decode. */
const MAX_SEALED_CHARS = 65_536;
const SEAL_PREFIX = "v1.";
const IV_BYTES = 12;
const keys = new Map<string, Promise<CryptoKey>>();

/** Seals `secret` for the grant of `subject`. */
export async function sealSecret(cookieKey: Uint8Array, subject: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(subject) },
    await sealingKey(cookieKey),
    new TextEncoder().encode(secret),
  );
  return `${SEAL_PREFIX}${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

/**
 * Opens a value sealed for `subject`; undefined when it is malformed, was sealed for another
 * subject, or was sealed under another COOKIE_ENCRYPTION_KEY (after a rotation).
 */
export async function openSealedSecret(cookieKey: Uint8Array, subject: string, sealed: string): Promise<string | undefined> {
  if (!sealed.startsWith(SEAL_PREFIX)) return undefined;
  const [ivText = "", dataText = "", ...rest] = sealed.slice(SEAL_PREFIX.length).split(".");
  const iv = decodeBase64url(ivText);
  const data = decodeBase64url(dataText, MAX_SEALED_CHARS);
  if (rest.length > 0 || !iv || iv.length !== IV_BYTES || !data) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: additionalData(subject) },
      await sealingKey(cookieKey),
      data,
    );
    return new TextDecoder().decode(plain);
  } catch (error) {
    // A failed authentication tag is the expected answer to a foreign or tampered value.
    if (error instanceof Error && error.name === "OperationError") return undefined;
    throw error;
  }
}

function sealingKey(cookieKey: Uint8Array): Promise<CryptoKey> {
  const id = Array.from(cookieKey, (byte) => byte.toString(16).padStart(2, "0")).join("");
  let key = keys.get(id);
  if (!key) {
    key = derive(cookieKey);
    keys.set(id, key);
  }
  return key;
}

async function derive(cookieKey: Uint8Array): Promise<CryptoKey> {
  const master = await crypto.subtle.importKey("raw", cookieKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bytes = await crypto.subtle.sign("HMAC", master, new TextEncoder().encode(SEAL_LABEL));
  return crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

function additionalData(subject: string): Uint8Array {
  return new TextEncoder().encode(`${SEAL_LABEL}\n${subject}`);
}
