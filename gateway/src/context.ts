/**
 * Who a request comes from, as the checks established it, and the key its limits and session
 * ownership are counted under.
 */

/** Who is calling: a verified email, or nobody (the identity provider gave no email). */
export type Identity = { readonly kind: "user"; readonly email: string } | { readonly kind: "anonymous" };

/**
 * The key limits and session ownership use: the lower-cased email, or null for every caller
 * without one (they share one allowance and may use each other's sessions, as they are alike).
 */
export function identityKey(identity: Identity): string | null {
  return identity.kind === "user" ? identity.email.toLowerCase() : null;
}

/** How messages name an identity's allowance. */
export function describeIdentity(key: string | null): string {
  return key ?? "callers without an email";
}
