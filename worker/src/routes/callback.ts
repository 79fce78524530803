/**
 * /callback: Cloudflare Access sends the browser back here. Recover the approved MCP request from
 * the single-use, browser-bound state; exchange the code; verify the id_token; apply ALLOWED_EMAILS;
 * then complete the authorization (the grant keeps Access's refresh token, sealed, for re-checks)
 * and send the browser on to the MCP client with its code.
 */
import { AuthorizationError, authorizationErrorRedirect, type AuthRequest, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { grantMetadataFor, isEmailAllowed } from "@mcpbox/shared";
import type { WorkerConfig } from "../env";
import { WorkerError } from "../http/errors";
import { logEvent } from "../http/log";
import { grantPropsAtSignIn } from "../oauth/grant-props";
import { propsFromIdentity, userIdFor } from "../oauth/props";
import type { VerifiedIdentity } from "../oidc/id-token";
import { JwksFetchError, type JwksCache } from "../oidc/jwks-cache";
import { exchangeCode, parseUpstreamLoginData, type UpstreamLoginData } from "../oidc/upstream";
import { verifyAccessIdToken } from "../oidc/verify-access-id-token";
import { callbackUrl } from "./authorize";

export interface CallbackDeps {
  jwks: JwksCache;
  /** Current time in seconds (injected for tests of time-dependent checks). */
  nowSeconds: () => number;
}

const ACCESS_SETTINGS_HINT =
  "The operator should check the Access for SaaS application in Zero Trust: that it exists, that its redirect URL is this server's /callback, and that the client id, JWKS URL and issuer given to this Worker match it.";

/** GET /callback. */
export async function finishLogin(request: Request, oauth: OAuthHelpers, config: WorkerConfig, deps: CallbackDeps): Promise<Response> {
  let resumed: { request: AuthRequest; data: unknown; headers: Headers };
  try {
    resumed = await oauth.finishUpstream(request);
  } catch (error) {
    if (error instanceof AuthorizationError) {
      throw new WorkerError("login_expired", "This sign-in link has expired, was already used, or was opened in another browser.", {
        hint: "Start again from your MCP client.",
        log: { detail: error.description },
      });
    }
    throw error;
  }
  const { request: authRequest, headers } = resumed;
  const login = parseUpstreamLoginData(resumed.data);
  if (!login) throw new Error("stored upstream login data is malformed");
  const returnTo = authorizationErrorRedirect(authRequest, "access_denied");
  const params = new URL(request.url).searchParams;

  const upstreamError = params.get("error");
  if (upstreamError !== null) {
    const code = upstreamError.slice(0, 64);
    const denied = code === "access_denied";
    throw new WorkerError(
      denied ? "upstream_denied" : "upstream_error",
      denied ? "Cloudflare Access did not sign you in." : `Cloudflare Access reported an error (${code}).`,
      {
        hint: denied
          ? "Check that your account is allowed by the Access application's policy, then try again."
          : "Check that an identity provider (for example one-time PIN, Google or GitHub) is configured in Zero Trust and enabled for the Access application.",
        returnTo,
        log: { upstream_error: code, client_id: authRequest.clientId },
      },
    );
  }
  const issuerParam = params.get("iss");
  // RFC 9207: an authorization response naming another issuer is not from our Access application.
  if (issuerParam !== null && issuerParam.replace(/\/+$/, "") !== config.access.issuer) {
    throw new WorkerError("id_token_invalid", "The sign-in response did not come from the expected Cloudflare Access application.", {
      hint: ACCESS_SETTINGS_HINT,
      returnTo,
      log: { reason: "callback_iss_mismatch" },
    });
  }
  const code = params.get("code");
  if (!code) {
    throw new WorkerError("upstream_error", "Cloudflare Access sent you back without a sign-in code.", { hint: ACCESS_SETTINGS_HINT, returnTo });
  }

  const { identity, accessRefreshToken } = await identify(request, config, deps, code, login, returnTo);
  const props = propsFromIdentity(identity);
  if (!config.allowedEmails.allowsAnyone) {
    if (props.email === undefined) {
      throw new WorkerError("email_missing", "Cloudflare Access did not give this server a verified email address for your account.", {
        hint: "This server only admits listed email addresses. Sign in with an identity provider that shares your email.",
        returnTo,
        log: { client_id: authRequest.clientId },
      });
    }
    if (!isEmailAllowed(config.allowedEmails, props.email)) {
      throw new WorkerError("email_not_allowed", `The account ${props.email} is not allowed to use this MCP server.`, {
        hint: "Ask the server's operator to add your email address, or sign in with another account.",
        returnTo,
        log: { client_id: authRequest.clientId, reason: "allowed_emails" },
      });
    }
  }

  const { redirectTo } = await oauth.completeAuthorization({
    request: authRequest,
    userId: userIdFor(identity.sub),
    // In clear next to the user id, so the operator's `grants list --user <email>` can find it.
    metadata: grantMetadataFor(props.email),
    scope: authRequest.scope,
    props: await grantPropsAtSignIn(props, { nowSeconds: deps.nowSeconds(), nonce: login.nonce, accessRefreshToken, cookieKey: config.cookieKey }),
    // An authorization that is never redeemed must not end the grant this client already holds:
    // older grants are revoked when the new code is exchanged (oauth/code-exchange.ts).
    revokeExistingGrants: false,
  });
  logEvent("info", "login_completed", { client_id: authRequest.clientId, has_email: props.email !== undefined, access_refresh_token: accessRefreshToken !== undefined });
  if (accessRefreshToken === undefined) {
    // Without it the grant cannot be re-checked at Access, so it ends at the first due re-check.
    logEvent("warn", "access_refresh_token_missing", {
      hint: "Turn on refresh tokens for the Access for SaaS application (npm run provision -- setup does), or users sign in again every ACCESS_RECHECK_SECONDS.",
    });
  }
  headers.set("Location", redirectTo);
  return new Response(null, { status: 302, headers });
}

/**
 * Exchanges the code and verifies the id_token; every failure is a page naming what to check.
 * Also returns Access's refresh token, when Access issued one.
 */
async function identify(
  request: Request,
  config: WorkerConfig,
  deps: CallbackDeps,
  code: string,
  login: UpstreamLoginData,
  returnTo: string,
): Promise<{ identity: VerifiedIdentity; accessRefreshToken: string | undefined }> {
  const exchanged = await exchangeCode(config.access, { code, redirectUri: callbackUrl(request), verifier: login.verifier });
  if (!exchanged.ok) {
    const unreachable = exchanged.reason === "unreachable" || exchanged.reason === "timeout";
    throw new WorkerError(
      unreachable ? "upstream_unreachable" : "upstream_error",
      unreachable
        ? "This server could not reach Cloudflare Access to finish signing you in."
        : "Cloudflare Access refused to finish signing you in.",
      {
        hint: unreachable ? "Try again in a moment. " + ACCESS_SETTINGS_HINT : ACCESS_SETTINGS_HINT,
        returnTo,
        log: { stage: "token_exchange", reason: exchanged.reason, upstream_status: exchanged.status, oauth_error: exchanged.oauthError },
      },
    );
  }

  let verified;
  try {
    verified = await verifyAccessIdToken(exchanged.idToken, config.access, deps.jwks, { nonce: login.nonce, purpose: "login", nowSeconds: deps.nowSeconds() });
  } catch (error) {
    if (!(error instanceof JwksFetchError)) throw error;
    throw new WorkerError("upstream_unreachable", "This server could not read Cloudflare Access's signing keys.", {
      hint: "Try again in a moment. " + ACCESS_SETTINGS_HINT,
      returnTo,
      log: { stage: "jwks", reason: error.reason },
    });
  }
  if (!verified.ok) {
    throw new WorkerError("id_token_invalid", "Cloudflare Access returned an identity token this server could not verify.", {
      hint: ACCESS_SETTINGS_HINT,
      returnTo,
      log: { stage: "id_token", reason: verified.reason, detail: verified.detail },
    });
  }
  return { identity: verified.identity, accessRefreshToken: exchanged.refreshToken };
}
