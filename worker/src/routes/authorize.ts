/**
 * /authorize: validate the MCP client's request, ask the user to approve this client (unless this
 * browser approved it before and the browser says the request is the client's own flow), then send
 * the browser to Cloudflare Access with a fresh state, nonce and PKCE verifier. GET shows the
 * consent page (no KV write: the transaction is a signed cookie); POST takes the Allow/Deny decision.
 */
import { AuthorizationError, CimdFetchError, type AuthRequest, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { WORKER_PATHS } from "@mcpbox/shared";
import type { WorkerConfig } from "../env";
import { isApprovalRemembered, rememberApproval } from "../consent/approvals";
import { issueCsrfToken, verifyCsrfToken } from "../consent/csrf";
import { consentKeys } from "../consent/keys";
import { isClientFlowNavigation } from "../consent/navigation";
import { CONSENT_DECISIONS, CONSENT_FIELDS, renderConsentPage } from "../consent/page";
import { beginConsentTransaction, openConsentTransaction } from "../consent/transaction";
import { BODY_LIMITS, readBodyWithLimit } from "../http/body-limit";
import { WorkerError } from "../http/errors";
import { htmlResponse } from "../http/html";
import { logEvent } from "../http/log";
import { RATE_LIMIT_STEPS, enforceRateLimit } from "../http/rate-limit";
import { clientErrorRedirect, codeChallengeProblem, promptValues } from "../oauth/authorization-checks";
import { requirePkce } from "../oauth/pkce-required";
import { accessAuthorizationUrl, newLoginSecrets } from "../oidc/upstream";

const RESTART_HINT = "Start again from your MCP client.";

/** GET /authorize. */
export async function showConsent(request: Request, oauth: OAuthHelpers, config: WorkerConfig, nowSeconds: number): Promise<Response> {
  await enforceRateLimit(config.limiters.authorize, RATE_LIMIT_STEPS.authorize, request);
  const parsed = await parseOrExplain(request, oauth);
  if (parsed.kind === "redirect") return redirect(parsed.location);
  const { authRequest } = parsed;
  const challengeProblem = codeChallengeProblem(authRequest);
  if (challengeProblem) return redirect(clientErrorRedirect(authRequest, "invalid_request", challengeProblem));

  const keys = await consentKeys(config.cookieKey);
  const prompt = promptValues(request);
  const approved = !prompt.has("consent") && !prompt.has("login") && (await isApprovalRemembered(keys.approvalsKey, request, authRequest, nowSeconds));
  const clientFlow = approved && isClientFlowNavigation(request, authRequest.redirectUri, authRequest.clientId);
  if (approved && !clientFlow) logEvent("info", "consent_remembered_not_client_flow", { client_id: authRequest.clientId });
  if (prompt.has("none")) {
    // OIDC Core §3.1.2.6: no page may be shown. Signing in at Access always can ask for interaction.
    const code = clientFlow ? "login_required" : "consent_required";
    return redirect(clientErrorRedirect(authRequest, code, clientFlow ? "Signing in needs the user at Cloudflare Access." : "The user has to approve this app."));
  }
  if (clientFlow) {
    logEvent("info", "consent_remembered", { client_id: authRequest.clientId });
    return redirectToAccess(request, oauth, config, authRequest, new Headers());
  }
  const details = await oauth.describeConsent(authRequest);
  const transaction = await beginConsentTransaction(keys.transactionKey, authRequest, nowSeconds);
  const csrfToken = await issueCsrfToken(keys.csrfKey, transaction.handle, details.clientId);
  const page = renderConsentPage({ details, handle: transaction.handle, csrfToken, serverHost: new URL(request.url).host });
  // CSP3 form-action also governs the redirect after the post: Allow goes on to Access, Deny back to the client.
  const formActions = ["'self'", new URL(config.access.authorizationUrl).origin, formActionSource(authRequest.redirectUri)];
  return htmlResponse(page, 200, { "Set-Cookie": transaction.setCookie }, { formActions });
}

/**
 * POST /authorize: the consent form. Refuses cross-site posts, a missing or wrong CSRF token, a
 * token made for another client, and a handle without its transaction cookie (another browser).
 */
export async function decideConsent(request: Request, oauth: OAuthHelpers, config: WorkerConfig, nowSeconds: number): Promise<Response> {
  await enforceRateLimit(config.limiters.authorize, RATE_LIMIT_STEPS.authorize, request);
  assertSameOriginPost(request);
  const form = await readForm(request);
  const handle = form.get(CONSENT_FIELDS.handle);
  const csrfToken = form.get(CONSENT_FIELDS.csrf);
  const clientId = form.get(CONSENT_FIELDS.clientId);
  const decision = form.get(CONSENT_FIELDS.decision);
  if (!handle || !clientId) throw new WorkerError("consent_invalid", "This consent form is incomplete.", { hint: RESTART_HINT });
  const keys = await consentKeys(config.cookieKey);
  if (csrfToken === null || !(await verifyCsrfToken(keys.csrfKey, csrfToken, handle, clientId))) {
    throw new WorkerError("consent_forged", "This consent form was not issued for this request.", {
      hint: RESTART_HINT,
      log: { reason: csrfToken === null ? "csrf_missing" : "csrf_mismatch" },
    });
  }
  const { authRequest, clearCookie } = await openConsentTransaction(keys.transactionKey, request, handle, nowSeconds);
  if (authRequest.clientId !== clientId) {
    throw new WorkerError("consent_forged", "This consent form was not issued for this request.", { hint: RESTART_HINT, log: { reason: "client_mismatch" } });
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", clearCookie);
  if (decision === CONSENT_DECISIONS.deny) {
    logEvent("info", "consent_denied", { client_id: clientId });
    headers.set("Location", clientErrorRedirect(authRequest, "access_denied", "The user declined to allow this app."));
    return new Response(null, { status: 302, headers });
  }
  if (decision !== CONSENT_DECISIONS.approve) throw new WorkerError("consent_invalid", "This consent form is incomplete.", { hint: RESTART_HINT });
  headers.append("Set-Cookie", await rememberApproval(keys.approvalsKey, request, authRequest, nowSeconds));
  logEvent("info", "consent_approved", { client_id: clientId });
  return redirectToAccess(request, oauth, config, authRequest, headers);
}

/** The CSP source for a validated redirect URI: its origin, or its scheme for a private-use URI (`cursor:`). */
function formActionSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : url.protocol;
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { Location: location, "Cache-Control": "no-store" } });
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
        throw new WorkerError("client_unknown", "This app's registration is unknown to this server (invalid_client).", {
          hint: "Its registration may have expired or this server's storage was reset. Remove the server from the app and add it again.",
          log: { code: "invalid_client" },
        });
      }
      throw new WorkerError("authorization_invalid", `The app sent an invalid sign-in request: ${error.description}`, {
        hint: "Nothing was sent back to the app. The app or its configuration needs fixing.",
        log: { code: error.code, detail: error.description },
      });
    }
    if (error instanceof CimdFetchError) {
      throw new WorkerError("client_unknown", "This app's metadata document could not be read, so it cannot be verified.", {
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
    throw new WorkerError("consent_forged", "This consent form was posted from another site.", {
      hint: RESTART_HINT,
      log: { reason: "cross_site_post" },
    });
  }
}

async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new WorkerError("consent_invalid", "This consent form is incomplete.", { hint: RESTART_HINT });
  }
  const bytes = await readBodyWithLimit(request, BODY_LIMITS.consent);
  return new URLSearchParams(new TextDecoder().decode(bytes));
}
