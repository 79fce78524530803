/**
 * What the Worker stores in clear with each OAuth grant, so the operator can find a person's
 * grants by email (`grants list --user`, `grants revoke --user`). workers-oauth-provider keeps a
 * grant's `metadata` unencrypted next to its user id; the props (which also carry the email) are
 * encrypted with a key that only the user's own tokens unwrap, so they are unreadable to an operator.
 */
import { isValidEmail } from "./email-allowlist";

export interface GrantMetadata {
  /** The verified email the grant was issued to; absent when Cloudflare Access gave none. */
  email?: string;
}

/** The metadata for a grant issued to `email` (a verified, validated address, or undefined). */
export function grantMetadataFor(email: string | undefined): GrantMetadata {
  return email === undefined ? {} : { email };
}

/** Reads a stored grant's metadata; anything else (older grants wrote `{}`) yields no email. */
export function parseGrantMetadata(value: unknown): GrantMetadata {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const email = (value as Record<string, unknown>).email;
  return typeof email === "string" && isValidEmail(email) ? { email } : {};
}
