/**
 * Small encoding helpers shared by the Worker's cookies, tokens and records: base64url
 * (RFC 4648 §5, unpadded), SHA-256 in hex, and reading one cookie from a request.
 */

/** Unpadded base64url of `bytes`. */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of unpadded base64url `text`, or undefined when it is not base64url or longer than `maxChars`. */
export function decodeBase64url(text: string, maxChars = 8192): Uint8Array | undefined {
  if (text.length === 0 || text.length > maxChars || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    // atob refuses a length that no base64 encoding can have (4n+1): not ours.
    return undefined;
  }
}

/** Lower-case hex SHA-256 of a UTF-8 string or bytes. */
export async function sha256Hex(value: string | Uint8Array): Promise<string> {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The value of cookie `name` in the request's `Cookie` header, if present. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator !== -1 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** A `__Host-` cookie: Secure, HttpOnly, SameSite=Lax, host-only, `Path=/` (RFC 6265bis §4.1.3.2). */
export function hostCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}`;
}
