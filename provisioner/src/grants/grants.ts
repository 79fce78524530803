/**
 * Listing and revoking the OAuth grants in a grant store (either backend). A grant is one MCP
 * client's sign-in by one person; revoking it deletes its access tokens and the grant itself, so
 * the client's next /mcp call gets 401 and its refresh token is refused (`invalid_grant`) — the
 * person must sign in again. Called by the CLI and meant to be called by the Remote Access page.
 */
import { getAllValues, listAllKeys, type KvKey, type KvStore } from "./kv-store";
import {
  GRANT_PREFIX,
  TOKEN_PREFIX,
  clientIdFromKeyMetadata,
  clientKey,
  grantKey,
  parseClientName,
  parseGrantKey,
  parseGrantRecord,
  parseTokenKey,
  tokenPrefix,
  userGrantPrefix,
  type GrantRecord,
} from "./oauth-records";

export interface GrantSummary {
  grantId: string;
  /** The library's user id: the URL-encoded `sub` Cloudflare Access gave. */
  userId: string;
  /** The email the grant was issued to; undefined for grants made without one (or before it was recorded). */
  email: string | undefined;
  clientId: string;
  /** The client's registered name (chosen by whoever registered it: display with care). */
  clientName: string | undefined;
  scope: string[];
  /** Seconds since the epoch. */
  createdAt: number;
  /** When the grant's refresh token expires; undefined when it does not. */
  expiresAt: number | undefined;
  redirectUri: string | undefined;
  /** "pending" until the client exchanges its authorization code (such grants expire in minutes). */
  status: "active" | "pending";
  hasRefreshToken: boolean;
  /** Access tokens of this grant not yet expired. */
  accessTokens: number;
  /** The latest expiry among them. */
  accessTokenExpiresAt: number | undefined;
}

/** Which grants to list: every condition given must hold. `user` is an email or a user id. */
export interface GrantFilter {
  user?: string;
  client?: string;
  grant?: string;
}

/** Which grants to revoke: exactly one criterion, or all of them. */
export type GrantSelector = { user: string } | { client: string } | { grant: string } | { all: true };

export interface RevokeResult {
  /** The grants revoked, as they were listed just before. */
  revoked: GrantSummary[];
  /** Grants some of whose keys the store did not delete (run the revoke again). */
  failed: Array<{ grantId: string; userId: string; email: string | undefined }>;
  /** Keys a concurrent refresh wrote back during the revoke, found by the check after it and deleted. */
  lateKeysDeleted: number;
}

export interface GrantOptions {
  now?: () => Date;
  /** Called after each batch of revocations. */
  onProgress?: (done: number, total: number) => void;
}

interface FoundGrant {
  summary: GrantSummary;
  grantKey: string;
  tokenKeys: string[];
}

/** The grants matching `filter`, sorted by person, then by age. */
export async function listGrants(store: KvStore, filter: GrantFilter = {}, options: GrantOptions = {}): Promise<GrantSummary[]> {
  return (await findGrants(store, filter, options)).map((g) => g.summary);
}

/**
 * Revokes the grants `selector` names: their access tokens first, then — once every token of a
 * grant is gone — the grant. An access token is honoured without its grant being read, so a
 * grant is never deleted while one of its tokens survives: a re-run must still find it.
 */
export async function revokeGrants(store: KvStore, selector: GrantSelector, options: GrantOptions = {}): Promise<RevokeResult> {
  const filter: GrantFilter = "all" in selector ? {} : selector;
  const found = await findGrants(store, filter, options);
  const failed: RevokeResult["failed"] = [];
  const revoked: FoundGrant[] = [];
  const BATCH = 500;
  for (let start = 0; start < found.length; start += BATCH) {
    const batch = found.slice(start, start + BATCH);
    const { done, notDone } = await deleteInOrder(store, batch);
    revoked.push(...done);
    failed.push(...notDone.map(failure));
    options.onProgress?.(Math.min(start + BATCH, found.length), found.length);
  }
  const late = await deleteLateKeys(store, revoked);
  for (const grant of late.notDone) {
    if (!failed.some((f) => f.grantId === grant.summary.grantId && f.userId === grant.summary.userId)) failed.push(failure(grant));
  }
  const failedIds = new Set(failed.map((f) => `${f.userId}:${f.grantId}`));
  return { revoked: revoked.filter((g) => !failedIds.has(idOf(g))).map((g) => g.summary), failed, lateKeysDeleted: late.deleted };
}

/** Token keys first; then the grant keys of the grants that have none left. */
async function deleteInOrder(store: KvStore, grants: FoundGrant[]): Promise<{ done: FoundGrant[]; notDone: FoundGrant[] }> {
  const tokenKeys = grants.flatMap((g) => g.tokenKeys);
  const tokensLeft = new Set(await store.deleteKeys(tokenKeys));
  const clean = grants.filter((g) => !g.tokenKeys.some((k) => tokensLeft.has(k)));
  const grantsLeft = new Set(await store.deleteKeys(clean.map((g) => g.grantKey)));
  const done = clean.filter((g) => !grantsLeft.has(g.grantKey));
  return { done, notDone: grants.filter((g) => !done.includes(g)) };
}

/**
 * A refresh that read a grant just before it was deleted can write the grant and a new access
 * token back afterwards. One more scan of the same prefixes deletes what reappeared, in the same
 * order (tokens, then grants).
 */
async function deleteLateKeys(store: KvStore, revoked: FoundGrant[]): Promise<{ deleted: number; notDone: FoundGrant[] }> {
  if (revoked.length === 0) return { deleted: 0, notDone: [] };
  const byId = new Map(revoked.map((g) => [idOf(g), g]));
  const users = new Set(revoked.map((g) => g.summary.userId));
  const only = users.size === 1 ? [...users][0] : undefined;
  const ownerId = (owner: { userId: string; grantId: string } | undefined) => (owner ? `${owner.userId}:${owner.grantId}` : "");
  const lateTokens = (await listAllKeys(store, only === undefined ? TOKEN_PREFIX : tokenPrefix(only)))
    .map((k) => k.name)
    .filter((name) => byId.has(ownerId(parseTokenKey(name))));
  const lateGrants = (await listAllKeys(store, only === undefined ? GRANT_PREFIX : userGrantPrefix(only)))
    .map((k) => k.name)
    .filter((name) => byId.has(ownerId(parseGrantKey(name))));
  if (lateTokens.length === 0 && lateGrants.length === 0) return { deleted: 0, notDone: [] };
  const tokensLeft = await store.deleteKeys(lateTokens);
  const keep = new Set(tokensLeft.map((name) => ownerId(parseTokenKey(name))));
  const grantsToDelete = lateGrants.filter((name) => !keep.has(ownerId(parseGrantKey(name))));
  const grantsLeft = await store.deleteKeys(grantsToDelete);
  for (const name of grantsLeft) keep.add(ownerId(parseGrantKey(name)));
  return {
    deleted: lateTokens.length - tokensLeft.length + grantsToDelete.length - grantsLeft.length,
    notDone: [...keep].map((id) => byId.get(id)).filter((g): g is FoundGrant => g !== undefined),
  };
}

function idOf(grant: FoundGrant): string {
  return `${grant.summary.userId}:${grant.summary.grantId}`;
}

function failure(grant: FoundGrant): RevokeResult["failed"][number] {
  return { grantId: grant.summary.grantId, userId: grant.summary.userId, email: grant.summary.email };
}

async function findGrants(store: KvStore, filter: GrantFilter, options: GrantOptions): Promise<FoundGrant[]> {
  const nowSeconds = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const userId = filter.user !== undefined && !filter.user.includes("@") ? filter.user : undefined;
  // A filter can be checked on the key alone (grant id; client id from the key's metadata)
  // before any value is read; the email is only in the value.
  const keys = (await listAllKeys(store, userId === undefined ? GRANT_PREFIX : userGrantPrefix(userId))).filter((key) => {
    const owner = parseGrantKey(key.name);
    if (!owner) return false;
    if (userId !== undefined && owner.userId !== userId) return false;
    if (filter.grant !== undefined && owner.grantId !== filter.grant) return false;
    const keyClient = clientIdFromKeyMetadata(key.metadata);
    return filter.client === undefined || keyClient === undefined || keyClient === filter.client;
  });
  const values = await getAllValues(
    store,
    keys.map((k) => k.name),
  );
  const records: GrantRecord[] = [];
  for (const key of keys) {
    const text = values.get(key.name);
    const record = text ? parseGrantRecord(text) : undefined;
    const owner = parseGrantKey(key.name);
    // Gone since the listing, or a value that does not belong under this key: not a grant to show.
    if (!record || !owner || record.id !== owner.grantId || record.userId !== owner.userId) continue;
    if (filter.client !== undefined && record.clientId !== filter.client) continue;
    if (filter.user !== undefined && !matchesUser(record, filter.user)) continue;
    records.push(record);
  }
  if (records.length === 0) return [];

  const users = new Set(records.map((r) => r.userId));
  const only = users.size === 1 ? [...users][0] : undefined;
  const tokensByGrant = groupTokens(await listAllKeys(store, only === undefined ? TOKEN_PREFIX : tokenPrefix(only)));
  const names = await clientNames(store, [...new Set(records.map((r) => r.clientId))]);

  return records
    .map((record) => {
      const tokens = tokensByGrant.get(`${record.userId}:${record.id}`) ?? [];
      const live = tokens.filter((t) => t.expiration === undefined || t.expiration > nowSeconds);
      const expiries = live.map((t) => t.expiration).filter((e): e is number => e !== undefined);
      const summary: GrantSummary = {
        grantId: record.id,
        userId: record.userId,
        email: record.email,
        clientId: record.clientId,
        clientName: names.get(record.clientId),
        scope: record.scope,
        createdAt: record.createdAt,
        expiresAt: record.expiresAt,
        redirectUri: record.redirectUri,
        status: record.codeExchanged ? "active" : "pending",
        hasRefreshToken: record.hasRefreshToken,
        accessTokens: live.length,
        accessTokenExpiresAt: expiries.length > 0 ? Math.max(...expiries) : undefined,
      };
      return { summary, grantKey: grantKey(record.userId, record.id), tokenKeys: tokens.map((t) => t.name) };
    })
    .sort((a, b) => personOf(a.summary).localeCompare(personOf(b.summary)) || a.summary.createdAt - b.summary.createdAt);
}

/** An email matches case-insensitively; anything else is compared with the user id. */
function matchesUser(record: GrantRecord, user: string): boolean {
  if (user.includes("@")) return record.email !== undefined && record.email.toLowerCase() === user.toLowerCase();
  return record.userId === user;
}

function personOf(summary: GrantSummary): string {
  return summary.email?.toLowerCase() ?? `~${summary.userId}`;
}

function groupTokens(keys: KvKey[]): Map<string, KvKey[]> {
  const byGrant = new Map<string, KvKey[]>();
  for (const key of keys) {
    const owner = parseTokenKey(key.name);
    if (!owner) continue;
    const id = `${owner.userId}:${owner.grantId}`;
    const list = byGrant.get(id);
    if (list) list.push(key);
    else byGrant.set(id, [key]);
  }
  return byGrant;
}

async function clientNames(store: KvStore, clientIds: string[]): Promise<Map<string, string>> {
  const values = await getAllValues(store, clientIds.map(clientKey));
  const names = new Map<string, string>();
  for (const id of clientIds) {
    const text = values.get(clientKey(id));
    const name = text ? parseClientName(text) : undefined;
    if (name !== undefined) names.set(id, name);
  }
  return names;
}
