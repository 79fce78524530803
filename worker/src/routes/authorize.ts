/**
 * /authorize: validate the MCP client's request, ask the user to approve this client (unless this
 * browser already did), then send the browser to Cloudflare Access with a fresh state, nonce and
 * PKCE verifier. GET shows the consent page; POST takes the Allow/Deny decision.
 */
import { AuthorizationError, CimdFetchError, type AuthRequest, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { WORKER_PATHS } from "@mcpbox/shared";
import type { WorkerConfig } from "../env";
import { CONSENT_DECISIONS, CONSENT_FIELDS, renderConsentPage } from "../consent/page";
import { issueCsrfToken, verifyCsrfToken } from "../consent/csrf";
import { consentKeys } from "../consent/keys";
import { WorkerError } from "../http/errors";
import { htmlResponse } from "../http/html";
import { logEvent } from "../http/log";
import { requirePkce } from "../oauth/pkce-required";
import { accessAuthorizationUrl, newLoginSecrets } from "../oidc/upstream";

const RESTART_HINT = "Start again from your MCP client.";

/** GET /authorize. */
export async function showConsent(request: Request, oauth: OAuthHelpers, config: WorkerConfig): Promise<Response> {
  const parsed = await parseOrExplain(request, oauth);
  if (parsed.kind === "redirect") return new Response(null, { status: 302, headers: { Location: parsed.location, "Cache-Control": "no-store" } });
  const { authRequest } = parsed;
  const keys = await consentKeys(config.cookieKey);
  if (await oauth.isConsentRemembered(request, authRequest, { secret: keys.rememberSecret })) {
    logEvent("info", "consent_remembered", { client_id: authRequest.clientId });
    return redirectToAccess(request, oauth, config, authRequest, new Headers());
  }
  const details = await oauth.describeConsent(authRequest);
  const consent = await oauth.beginConsent(authRequest);
  const csrfToken = await issueCsrfToken(keys.csrfKey, consent.handle, details.clientId);
  const html = renderConsentPage({ details, handle: consent.handle, csrfToken, serverHost: new URL(request.url).host });
  return htmlResponse(html, 200, consent.headers);
}

/**
 * POST /authorize: the consent form. Refuses cross-site posts, a missing or wrong CSRF token, and
 * a token made for another client; then lets the library consume the browser-bound handle.
 */
export async function decideConsent(request: Request, oauth: OAuthHelpers, config: WorkerConfig): Promise<Response> {
  assertSameOriginPost(request);
  const form = await readForm(request);
  const handle = form.get(CONSENT_FIELDS.handle);
  const csrfToken = form.get(CONSENT_FIELDS.csrf);
  const clientId = form.get(CONSENT_FIELDS.clientId);
  const decision = form.get(CONSENT_FIELDS.decision);
  if (typeof handle !== "string" || typeof clientId !== "string" || !handle || !clientId) {
    throw new WorkerError("consent_invalid", 400, "This consent form is incomplete.", { hint: RESTART_HINT });
  }
  const keys = await consentKeys(config.cookieKey);
  if (typeof csrfToken !== "string" || !(await verifyCsrfToken(keys.csrfKey, csrfToken, handle, clientId))) {
    throw new WorkerError("consent_forged", 403, "This consent form was not issued for this request.", {
      hint: RESTART_HINT,
      log: { reason: typeof csrfToken === "string" ? "csrf_mismatch" : "csrf_missing" },
    });
  }

  try {
    if (decision === CONSENT_DECISIONS.deny) {
      const denied = await oauth.denyConsent(request, handle);
      logEvent("info", "consent_denied", { client_id: denied.request.clientId });
      return new Response(null, { status: 302, headers: denied.headers });
    }
    if (decision !== CONSENT_DECISIONS.approve) {
      throw new WorkerError("consent_invalid", 400, "This consent form is incomplete.", { hint: RESTART_HINT });
    }
    const approved = await oauth.approveConsent(request, handle, { remember: { secret: keys.rememberSecret } });
    if (approved.request.clientId !== clientId) {
      throw new WorkerError("consent_forged", 403, "This consent form was not issued for this request.", {
        hint: RESTART_HINT,
        log: { reason: "client_mismatch" },
      });
    }
    logEvent("info", "consent_approved", { client_id: clientId });
    return await redirectToAccess(request, oauth, config, approved.request, approved.headers);
  } catch (error) {
    if (error instanceof AuthorizationError) {
      throw new WorkerError("consent_invalid", 400, "This consent page has expired, was already used, or was opened in another browser.", {
        hint: RESTART_HINT,
        log: { detail: error.description },
      });
    }
    throw error;
  }
}

/** Saves the approved request for the callback and redirects to Cloudflare Access. */
async function redirectToAccess(
  request: Request,
  oauth: OAuthHelpers,
  config: WorkerConfig,
  authRequest: AuthRequest,
  headers: Headers,
): Promise<Response> {
  const login = newLoginSecrets();
  const upstream = await oauth.beginUpstream(authRequest, { data: login, headers });
  const location = await accessAuthorizationUrl(config.access, {
    redirectUri: callbackUrl(request),
    state: upstream.state,
    login,
  });
  upstream.headers.set("Location", location);
  return new Response(null, { status: 302, headers: upstream.headers });
}

/** This Worker's /callback URL, the redirect URI registered at Access. */
export function callbackUrl(request: Request): string {
  return `${new URL(request.url).origin}${WORKER_PATHS.callback}`;
}

type ParsedAuthorization = { kind: "request"; authRequest: AuthRequest } | { kind: "redirect"; location: string };

async function parseOrExplain(request: Request, oauth: OAuthHelpers): Promise<ParsedAuthorization> {
  try {
    const authRequest = await oauth.parseAuthRequest(request);
    requirePkce(authRequest);
    return { kind: "request", authRequest };
  } catch (error) {
    if (error instanceof AuthorizationError && error.redirectTo) {
      // The client and its exact redirect URI were validated: the error goes back to the client.
      logEvent("warn", "authorization_rejected", { code: error.code, detail: error.description, redirected: true });
      return { kind: "redirect", location: error.redirectTo };
    }
    if (error instanceof AuthorizationError) {
      const clientId = new URL(request.url).searchParams.get("client_id");
      if (clientId && (await lookupQuietly(oauth, clientId)) === null) {
        throw new WorkerError("client_unknown", 400, "This app's registration is unknown to this server (invalid_client).", {
          hint: "Its registration may have expired or this server's storage was reset. Remove the server from the app and add it again.",
          log: { code: "invalid_client" },
        });
      }
      throw new WorkerError("authorization_invalid", 400, `The app sent an invalid sign-in request: ${error.description}`, {
        hint: "Nothing was sent back to the app. The app or its configuration needs fixing.",
        log: { code: error.code, detail: error.description },
      });
    }
    if (error instanceof CimdFetchError) {
      throw new WorkerError("client_unknown", 400, "This app's metadata document could not be read, so it cannot be verified.", {
        hint: "Try again later; if it persists, the app's publisher needs to fix its client metadata.",
        log: { detail: error.detail },
      });
    }
    throw error;
  }
}

async function lookupQuietly(oauth: OAuthHelpers, clientId: string): Promise<unknown> {
  try {
    return await oauth.lookupClient(clientId);
  } catch (error) {
    if (error instanceof CimdFetchError) return undefined;
    throw error;
  }
}

/**
 * The consent POST must come from this Worker's own page: a browser sends `Origin` on every POST,
 * and `Sec-Fetch-Site` where supported. Either naming another site means a cross-site post.
 */
function assertSameOriginPost(request: Request): void {
  const self = new URL(request.url).origin;
  const origin = request.headers.get("Origin");
  const site = request.headers.get("Sec-Fetch-Site");
  if ((origin !== null && origin !== self) || (site !== null && site !== "same-origin")) {
    throw new WorkerError("consent_forged", 403, "This consent form was posted from another site.", {
      hint: RESTART_HINT,
      log: { reason: "cross_site_post" },
    });
  }
}

async function readForm(request: Request): Promise<FormData> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new WorkerError("consent_invalid", 400, "This consent form is incomplete.", { hint: RESTART_HINT });
  }
  try {
    return await request.formData();
  } catch {
    throw new WorkerError("consent_invalid", 400, "This consent form is incomplete.", { hint: RESTART_HINT });
  }
}
