/**
 * The authorization-code exchange around the OAuth library: concurrent exchanges of one code in
 * this isolate run one after another, so exactly one gets tokens and the rest get the library's
 * replay answer (RFC 6749 §4.1.2: deny, and revoke what the code produced). After a successful
 * exchange, the user's older grants for the same client (and, for a Client ID Metadata Document
 * client, the same redirect URI) are revoked: an authorization that is never redeemed ends nothing.
 */
import type { GrantSummary, OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { describeError, logEvent } from "../http/log";
import { KeyLock } from "./key-lock";

const codeLocks = new KeyLock();

export interface CodeExchangeDeps {
  /** The library's helpers for this request's env. */
  helpers: () => OAuthHelpers;
}

/** Runs the exchange of `code` through `forward`, serialised per code; revokes superseded grants on success. */
export async function exchangeCodeOnce(code: string, deps: CodeExchangeDeps, forward: () => Promise<Response>): Promise<Response> {
  const response = await codeLocks.run(code, forward);
  const owner = codeOwner(code);
  if (response.status === 200 && owner) await revokeSupersededGrants(deps.helpers(), owner.userId, owner.grantId);
  return response;
}

/** `userId` and `grantId` from a code the library issued (`userId:grantId:secret`). */
function codeOwner(code: string): { userId: string; grantId: string } | undefined {
  const [userId, grantId, secret, extra] = code.split(":");
  if (!userId || !grantId || !secret || extra !== undefined) return undefined;
  return { userId, grantId };
}

/**
 * Revokes the user's other grants of the new grant's client and resource (for CIMD clients, whose
 * id every installation shares, only those from the same redirect URI) — what the library's
 * `revokeExistingGrants` did at authorization time, moved to redemption. Best effort: the tokens
 * are already issued, so a failure is logged, not answered.
 */
async function revokeSupersededGrants(helpers: OAuthHelpers, userId: string, grantId: string): Promise<void> {
  try {
    const grants = await listAllGrants(helpers, userId);
    const current = grants.find((grant) => grant.id === grantId);
    if (!current) return;
    const cimd = current.clientId.startsWith("https://");
    const superseded = grants.filter(
      (grant) =>
        grant.id !== grantId &&
        grant.clientId === current.clientId &&
        JSON.stringify(grant.resource ?? null) === JSON.stringify(current.resource ?? null) &&
        (!cimd || grant.redirectUri === current.redirectUri),
    );
    await Promise.all(superseded.map((grant) => helpers.revokeGrant(grant.id, userId)));
    if (superseded.length > 0) logEvent("info", "superseded_grants_revoked", { client_id: current.clientId, count: superseded.length });
  } catch (error) {
    logEvent("error", "superseded_grants_revoke_failed", { detail: describeError(error) });
  }
}

async function listAllGrants(helpers: OAuthHelpers, userId: string): Promise<GrantSummary[]> {
  const grants: GrantSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await helpers.listUserGrants(userId, cursor ? { cursor } : {});
    grants.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return grants;
}
