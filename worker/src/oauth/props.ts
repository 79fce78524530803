/**
 * The properties a grant carries (encrypted by the OAuth library, decrypted for each /mcp call):
 * who the user is according to the verified id_token, and how they signed in.
 */
import { AUTH_METHOD_OIDC, isValidEmail } from "@mcpbox/shared";
import type { VerifiedIdentity } from "../oidc/id-token";

export interface AuthProps {
  /** The id_token's `sub` at Cloudflare Access. */
  sub: string;
  /** A verified, well-formed email; absent when Access gave none (the gateway then allows the handshake only). */
  email?: string;
  name?: string;
  authMethod: typeof AUTH_METHOD_OIDC;
}

const MAX_NAME_LENGTH = 200;

/**
 * Props for a verified identity. An email is kept only when it is well formed and not marked
 * unverified, because the gateway authorizes by it and it travels in a header.
 */
export function propsFromIdentity(identity: VerifiedIdentity): AuthProps {
  const props: AuthProps = { sub: identity.sub, authMethod: AUTH_METHOD_OIDC };
  if (identity.email !== undefined && identity.emailVerified !== false && isValidEmail(identity.email)) {
    props.email = identity.email;
  }
  if (identity.name !== undefined) {
    const name = stripControlCharacters(identity.name).trim().slice(0, MAX_NAME_LENGTH);
    if (name) props.name = name;
  }
  return props;
}

/** The library's user id for a subject: URL-encoded, because the library forbids `:` in it. */
export function userIdFor(sub: string): string {
  return encodeURIComponent(sub);
}

/** Validates props read back from a grant; undefined when they are not ours. */
export function parseAuthProps(value: unknown): AuthProps | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { sub, email, name, authMethod } = value as Record<string, unknown>;
  if (typeof sub !== "string" || authMethod !== AUTH_METHOD_OIDC) return undefined;
  if (email !== undefined && (typeof email !== "string" || !isValidEmail(email))) return undefined;
  if (name !== undefined && typeof name !== "string") return undefined;
  return { sub, authMethod, ...(email !== undefined ? { email } : {}), ...(name !== undefined ? { name } : {}) };
}

function stripControlCharacters(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x1f && code !== 0x7f) out += char;
  }
  return out;
}
