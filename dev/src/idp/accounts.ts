/**
 * How the development IdP names its users: a stable, UUID-shaped `sub` per email (Access's `sub`
 * is a UUID). Runtime-neutral (Web Crypto), so tests in workerd can predict the subject too.
 */

/** The `sub` the development IdP issues for `email`. */
export async function devSubjectFor(email: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(email.toLowerCase()));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
