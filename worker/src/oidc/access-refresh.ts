/**
 * A refresh at Cloudflare Access's token endpoint (RFC 6749 §6), which Access serves only after
 * checking the user against the application's policies. The answer is sorted into three outcomes:
 * confirmed (with whatever id_token and refresh token Access chose to return), refused (the grant
 * there is gone: revoke ours), or unavailable (Access could not answer: keep ours, issue nothing).
 */
import type { AccessSettings } from "../env";
import { postTokenRequest } from "./token-endpoint";

export type AccessRefreshOutcome =
  | {
      kind: "confirmed";
      /** A new id_token, when Access sent one; it must be verified before it is believed. */
      idToken?: string;
      /** A rotated refresh token, when Access sent one; otherwise the one we used stays valid. */
      refreshToken?: string;
    }
  | { kind: "refused"; status: number; oauthError?: string }
  | { kind: "unavailable"; reason: string; status?: number; retryAfter?: string };

/**
 * Errors that say our client, not the user's grant, is at fault (RFC 6749 §5.2): a wrong or
 * rotated ACCESS_CLIENT_SECRET must not end every user's grant.
 */
const CLIENT_ERRORS = new Set(["invalid_client", "unauthorized_client"]);

/** Refreshes `refreshToken` at ACCESS_TOKEN_URL and classifies the answer. */
export async function refreshAtAccess(access: AccessSettings, refreshToken: string): Promise<AccessRefreshOutcome> {
  const result = await postTokenRequest(access, { grant_type: "refresh_token", refresh_token: refreshToken });
  if (result.ok) {
    const { id_token: idToken, refresh_token: rotated } = result.body;
    return {
      kind: "confirmed",
      ...(typeof idToken === "string" && idToken !== "" ? { idToken } : {}),
      ...(typeof rotated === "string" && rotated !== "" ? { refreshToken: rotated } : {}),
    };
  }
  const { reason, status, oauthError, retryAfter } = result;
  const extra = { ...(status !== undefined ? { status } : {}), ...(retryAfter ? { retryAfter } : {}) };
  if (reason !== "rejected" || status === undefined) return { kind: "unavailable", reason, ...extra };
  if (status === 429 || status >= 500) return { kind: "unavailable", reason: "access_busy", ...extra };
  if (status < 400) return { kind: "unavailable", reason: "unexpected_status", ...extra };
  if (oauthError !== undefined && CLIENT_ERRORS.has(oauthError)) return { kind: "unavailable", reason: "client_rejected", ...extra };
  return { kind: "refused", status, ...(oauthError !== undefined ? { oauthError } : {}) };
}
