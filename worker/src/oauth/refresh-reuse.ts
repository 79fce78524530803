/**
 * Refresh-token reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2), around the OAuth library's
 * rotation. The library keeps the current and the previous refresh token of a grant and accepts
 * both, so a thief holding a superseded token could rotate again and lock the owner out. Here:
 *
 * - the current token rotates as usual, and the rotation is recorded (`refresh-rotation:` key):
 *   hashes of the superseded tokens, and the response it produced, sealed with a key only the
 *   presented token (plus this Worker's secret) can derive;
 * - the previous token presented again is a duplicate only when the request is byte-identical to
 *   the one that rotated it and arrives within `GRACE_SECONDS` (a lost response, a client race): it
 *   gets that same response, the same successor. Otherwise it is reuse;
 * - reuse (the previous token outside that window, or any older superseded token) revokes the
 *   whole grant and answers `invalid_grant`;
 * - requests with one token run one at a time in an isolate, so an identical concurrent duplicate
 *   gets the same successor and a different one counts as reuse.
 * A token this grant never issued (or a gone grant) goes to the library, which refuses it.
 */
import { base64url, decodeBase64url, sha256Hex } from "../http/encoding";
import { logEvent } from "../http/log";
import { KeyLock } from "./key-lock";

/** How long a byte-identical duplicate still gets the same successor. */
const GRACE_SECONDS = 60;
/** Superseded token hashes remembered per grant. */
const MAX_SUPERSEDED = 64;
/** KV's minimum expiration. */
const MIN_TTL_SECONDS = 60;
/** Used when the grant has no expiry (the library's default refresh lifetime). */
const DEFAULT_RECORD_TTL_SECONDS = 30 * 24 * 3600;
const ROTATION_KEY_PREFIX = "refresh-rotation:";

export interface RefreshReuseDeps {
  kv: KVNamespace;
  /** Revokes a grant with all its tokens (the library's `revokeGrant`). */
  revokeGrant: (grantId: string, userId: string) => Promise<void>;
  /** HMAC key (from COOKIE_ENCRYPTION_KEY) mixed into the seal of cached responses. */
  sealKey: CryptoKey;
  nowSeconds: number;
}

export interface RefreshRequest {
  refreshToken: string;
  /** SHA-256 over the Authorization header and the exact body: what "the same request" means. */
  digest: string;
}

/** What to answer: the library's response, the cached response of a duplicate, or reuse (grant revoked). */
export type RefreshOutcome = { kind: "forwarded"; response: Response } | { kind: "replayed"; body: string } | { kind: "reused" };

interface RotationRecord {
  superseded: string[];
  last?: { presented: string; digest: string; at: number; sealed: string };
}

const locks = new KeyLock();

/** The digest identifying one exact token request. */
export async function requestDigest(authorization: string | null, body: Uint8Array): Promise<string> {
  const prefix = new TextEncoder().encode(`${authorization ?? ""}\n`);
  const joined = new Uint8Array(prefix.byteLength + body.byteLength);
  joined.set(prefix);
  joined.set(body, prefix.byteLength);
  return sha256Hex(joined);
}

/**
 * Runs one refresh: `forward` sends it to the library. Returns the response to give (the
 * library's, or a replayed one) or `reused` after the grant was revoked.
 */
export async function refreshWithReuseDetection(
  request: RefreshRequest,
  deps: RefreshReuseDeps,
  forward: () => Promise<Response>,
): Promise<RefreshOutcome> {
  const owner = tokenOwner(request.refreshToken);
  if (!owner) return { kind: "forwarded", response: await forward() };
  const hash = await sha256Hex(request.refreshToken);
  return locks.run(hash, async () => {
    const grantKey = `grant:${owner.userId}:${owner.grantId}`;
    const recordKey = `${ROTATION_KEY_PREFIX}${owner.userId}:${owner.grantId}`;
    const [grant, record] = await Promise.all([readGrant(deps.kv, grantKey), readRecord(deps.kv, recordKey)]);
    if (!grant) return { kind: "forwarded", response: await forward() };

    if (hash === grant.refreshTokenId) {
      const response = await forward();
      if (response.status === 200) await recordRotation(deps, recordKey, record, grant.expiresAt, hash, request, await response.clone().text());
      return { kind: "forwarded", response };
    }
    const superseded = hash === grant.previousRefreshTokenId || record.superseded.includes(shortHash(hash));
    if (!superseded) return { kind: "forwarded", response: await forward() };

    const last = record.last;
    if (hash === grant.previousRefreshTokenId && last && last.presented === shortHash(hash) && last.digest === request.digest && deps.nowSeconds - last.at <= GRACE_SECONDS) {
      const body = await unseal(deps.sealKey, request.refreshToken, last.sealed);
      if (body !== undefined) {
        logEvent("info", "refresh_duplicate_replayed", { grant: owner.grantId });
        return { kind: "replayed", body };
      }
    }
    await deps.revokeGrant(owner.grantId, owner.userId);
    await deps.kv.delete(recordKey);
    logEvent("warn", "refresh_token_reuse", { grant: owner.grantId, previous: hash === grant.previousRefreshTokenId });
    return { kind: "reused" };
  });
}

function tokenOwner(token: string): { userId: string; grantId: string } | undefined {
  const [userId, grantId, secret, extra] = token.split(":");
  if (!userId || !grantId || !secret || extra !== undefined) return undefined;
  return { userId, grantId };
}

/** 128 bits of the hash are plenty to recognise a token this grant issued. */
function shortHash(hash: string): string {
  return hash.slice(0, 32);
}

async function recordRotation(
  deps: RefreshReuseDeps,
  key: string,
  record: RotationRecord,
  grantExpiresAt: number | undefined,
  hash: string,
  request: RefreshRequest,
  body: string,
): Promise<void> {
  const superseded = [...record.superseded.filter((entry) => entry !== shortHash(hash)), shortHash(hash)].slice(-MAX_SUPERSEDED);
  const sealed = await seal(deps.sealKey, request.refreshToken, body);
  const next: RotationRecord = { superseded, last: { presented: shortHash(hash), digest: request.digest, at: deps.nowSeconds, sealed } };
  const remaining = grantExpiresAt !== undefined ? grantExpiresAt - deps.nowSeconds : DEFAULT_RECORD_TTL_SECONDS;
  await deps.kv.put(key, JSON.stringify(next), { expirationTtl: Math.max(MIN_TTL_SECONDS, remaining) });
}

interface GrantTokens {
  refreshTokenId?: string;
  previousRefreshTokenId?: string;
  expiresAt?: number;
}

/** The token fields of the library's grant record (storage-schema.md), checked rather than cast. */
async function readGrant(kv: KVNamespace, key: string): Promise<GrantTokens | undefined> {
  const value: unknown = await kv.get(key, { type: "json" });
  if (typeof value !== "object" || value === null) return undefined;
  const { refreshTokenId, previousRefreshTokenId, expiresAt } = value as Record<string, unknown>;
  return {
    ...(typeof refreshTokenId === "string" ? { refreshTokenId } : {}),
    ...(typeof previousRefreshTokenId === "string" ? { previousRefreshTokenId } : {}),
    ...(typeof expiresAt === "number" ? { expiresAt } : {}),
  };
}

async function readRecord(kv: KVNamespace, key: string): Promise<RotationRecord> {
  const value: unknown = await kv.get(key, { type: "json" });
  if (typeof value !== "object" || value === null) return { superseded: [] };
  const { superseded, last } = value as Record<string, unknown>;
  const record: RotationRecord = { superseded: Array.isArray(superseded) ? superseded.filter((entry): entry is string => typeof entry === "string") : [] };
  if (typeof last === "object" && last !== null) {
    const { presented, digest, at, sealed } = last as Record<string, unknown>;
    if (typeof presented === "string" && typeof digest === "string" && typeof at === "number" && typeof sealed === "string") {
      record.last = { presented, digest, at, sealed };
    }
  }
  return record;
}

/** AES-GCM key from HMAC(server key, token): neither KV nor the token alone opens a sealed response. */
async function sealingKey(sealKey: CryptoKey, token: string): Promise<CryptoKey> {
  const material = await crypto.subtle.sign("HMAC", sealKey, new TextEncoder().encode(`refresh-grace\u0000${token}`));
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

async function seal(sealKey: CryptoKey, token: string, body: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealingKey(sealKey, token), new TextEncoder().encode(body));
  return `${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

async function unseal(sealKey: CryptoKey, token: string, sealed: string): Promise<string | undefined> {
  const [ivText = "", dataText = ""] = sealed.split(".");
  const iv = decodeBase64url(ivText, 32);
  const data = decodeBase64url(dataText, 16_384);
  if (!iv || !data) return undefined;
  try {
    return new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, await sealingKey(sealKey, token), data));
  } catch {
    // Wrong token or a tampered record: no replay; the caller treats the request as reuse.
    return undefined;
  }
}
