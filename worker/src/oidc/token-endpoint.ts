/**
 * One POST to Cloudflare Access's token endpoint, as the Worker makes it for the code exchange and
 * for refreshes: client_secret_post, no redirects followed, a timeout, a bounded response read.
 * The result is tagged; nothing from Access's error bodies is kept except the OAuth error code.
 */
import type { AccessSettings } from "../env";

const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
const TOKEN_RESPONSE_MAX_BYTES = 64 * 1024;
const OAUTH_ERROR_MAX_LENGTH = 64;

export type TokenEndpointResult =
  | { ok: true; body: Record<string, unknown> }
  | {
      ok: false;
      reason: "unreachable" | "timeout" | "rejected" | "bad_response";
      status?: number;
      /** The `error` member of an OAuth error response (RFC 6749 §5.2), when Access sent one. */
      oauthError?: string;
      /** `Retry-After` of a 429 or 503 answer, when given. */
      retryAfter?: string;
    };

/** POSTs `form` plus our client credentials to ACCESS_TOKEN_URL and reads the JSON answer. */
export async function postTokenRequest(access: AccessSettings, form: Record<string, string>): Promise<TokenEndpointResult> {
  const body = new URLSearchParams({ ...form, client_id: access.clientId, client_secret: access.clientSecret });
  let response: Response;
  try {
    response = await fetch(access.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: body.toString(),
      // Never re-send the client secret to wherever a redirect points.
      redirect: "manual",
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, reason: error instanceof Error && error.name === "TimeoutError" ? "timeout" : "unreachable" };
  }
  const parsed = readJsonObject(await response.text());
  if (!response.ok) {
    const oauthError = typeof parsed?.error === "string" ? parsed.error.slice(0, OAUTH_ERROR_MAX_LENGTH) : undefined;
    const retryAfter = response.headers.get("Retry-After")?.slice(0, 32);
    return {
      ok: false,
      reason: "rejected",
      status: response.status,
      ...(oauthError ? { oauthError } : {}),
      ...(retryAfter ? { retryAfter } : {}),
    };
  }
  if (!parsed) return { ok: false, reason: "bad_response", status: response.status };
  return { ok: true, body: parsed };
}

function readJsonObject(text: string): Record<string, unknown> | undefined {
  if (text.length > TOKEN_RESPONSE_MAX_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: the caller reports a bad response (or a rejection without an OAuth error code).
    return undefined;
  }
}
