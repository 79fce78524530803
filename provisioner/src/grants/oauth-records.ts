/**
 * The KV layout @cloudflare/workers-oauth-provider 1.2 writes, as far as grant listing and
 * revocation need it (read from the library's source, `OAuthHelpersImpl.revokeGrant` and friends):
 *
 * - `grant:{userId}:{grantId}` — the grant (JSON). Readable: ids, client id, scope, our `metadata`
 *   (the email, see @mcpbox/shared GrantMetadata), creation and expiry times, redirect URI,
 *   resource, and hashes of the current refresh token / unexchanged code. Encrypted: the props
 *   (AES-GCM under a key that only the user's tokens unwrap), so nothing here decrypts them. The
 *   key's KV metadata repeats `clientId`, `resource` and `redirectUri`.
 * - `token:{userId}:{grantId}:{tokenIdHash}` — one access token (JSON), with a KV expiration.
 * - `client:{clientId}` — a registered client (JSON; `clientName` comes from its registration).
 *
 * User ids never contain `:` (the library's token format forbids it) and grant ids are 16
 * characters of [A-Za-z0-9_-], so the last `:` of a grant key separates them. Revoking a grant is
 * deleting its token keys and its grant key, exactly what the library's own revokeGrant does.
 * Every value is validated here: the store's content is input, not trusted.
 */
import type { Grant } from "@cloudflare/workers-oauth-provider";
import { parseGrantMetadata } from "@mcpbox/shared";

export const GRANT_PREFIX = "grant:";
export const TOKEN_PREFIX = "token:";
const CLIENT_PREFIX = "client:";

/** The prefix of one user's grant keys. */
export function userGrantPrefix(userId: string): string {
  return `${GRANT_PREFIX}${userId}:`;
}

/** The prefix of the access-token keys of one user, or of one of their grants. */
export function tokenPrefix(userId: string, grantId?: string): string {
  return grantId === undefined ? `${TOKEN_PREFIX}${userId}:` : `${TOKEN_PREFIX}${userId}:${grantId}:`;
}

export function grantKey(userId: string, grantId: string): string {
  return `${GRANT_PREFIX}${userId}:${grantId}`;
}

export function clientKey(clientId: string): string {
  return `${CLIENT_PREFIX}${clientId}`;
}

/** Splits `grant:{userId}:{grantId}`; undefined for any other name. */
export function parseGrantKey(name: string): { userId: string; grantId: string } | undefined {
  if (!name.startsWith(GRANT_PREFIX)) return undefined;
  const rest = name.slice(GRANT_PREFIX.length);
  const at = rest.lastIndexOf(":");
  if (at <= 0 || at === rest.length - 1) return undefined;
  return { userId: rest.slice(0, at), grantId: rest.slice(at + 1) };
}

/** Splits `token:{userId}:{grantId}:{hash}`; undefined for any other name. */
export function parseTokenKey(name: string): { userId: string; grantId: string } | undefined {
  if (!name.startsWith(TOKEN_PREFIX)) return undefined;
  const parts = name.slice(TOKEN_PREFIX.length).split(":");
  if (parts.length !== 3 || parts.some((p) => p === "")) return undefined;
  return { userId: parts[0] as string, grantId: parts[1] as string };
}

/** The client id in a grant key's KV metadata, when it carries one. */
export function clientIdFromKeyMetadata(metadata: unknown): string | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const clientId = (metadata as { clientId?: unknown }).clientId;
  return typeof clientId === "string" && clientId !== "" ? clientId : undefined;
}

/** The fields of the library's Grant this module reads (names checked against its type). */
type ReadGrantFields = Pick<Grant, "id" | "clientId" | "userId" | "scope" | "metadata" | "createdAt" | "expiresAt" | "redirectUri" | "resource" | "refreshTokenId" | "authCodeWrappedKey">;

export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string;
  email: string | undefined;
  scope: string[];
  /** Seconds since the epoch. */
  createdAt: number;
  /** When the grant (its refresh token) expires; undefined when it has no expiry. */
  expiresAt: number | undefined;
  redirectUri: string | undefined;
  resource: string | string[] | undefined;
  /** False while the authorization code has not been exchanged for tokens yet. */
  codeExchanged: boolean;
  hasRefreshToken: boolean;
}

/** Validates a grant value; undefined when it is not a grant this layout describes. */
export function parseGrantRecord(text: string): GrantRecord | undefined {
  const value = parseJsonObject(text);
  if (!value) return undefined;
  const g = value as { [K in keyof ReadGrantFields]?: unknown };
  if (typeof g.id !== "string" || typeof g.clientId !== "string" || typeof g.userId !== "string" || typeof g.createdAt !== "number") return undefined;
  const scope = Array.isArray(g.scope) ? g.scope.filter((s): s is string => typeof s === "string") : [];
  const resource = typeof g.resource === "string" ? g.resource : Array.isArray(g.resource) ? g.resource.filter((r): r is string => typeof r === "string") : undefined;
  return {
    id: g.id,
    clientId: g.clientId,
    userId: g.userId,
    email: parseGrantMetadata(g.metadata).email,
    scope,
    createdAt: g.createdAt,
    expiresAt: typeof g.expiresAt === "number" ? g.expiresAt : undefined,
    redirectUri: typeof g.redirectUri === "string" ? g.redirectUri : undefined,
    resource,
    codeExchanged: typeof g.authCodeWrappedKey !== "string",
    hasRefreshToken: typeof g.refreshTokenId === "string",
  };
}

/** A client's display name from its record; undefined when absent or not a client record. */
export function parseClientName(text: string): string | undefined {
  const value = parseJsonObject(text);
  const name = value ? (value as { clientName?: unknown }).clientName : undefined;
  return typeof name === "string" && name.trim() !== "" ? name : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: not a record of this layout.
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
