/**
 * The person at the browser, scripted by fetch: opens the authorization URL an MCP client
 * produced, approves the consent page, signs in at the development IdP, and follows the Worker's
 * callback back to the client's redirect URI, whose `code` it returns.
 */
import { ScriptedBrowser, consentFormFields, loginAtDevIdp, redirectTarget, submitConsent, type FlowNetwork } from "../../src/test-kit";

export interface SignInResult {
  code: string;
  /** The full redirect to the client (`code`, `state`, `iss`). */
  clientRedirect: URL;
  /** Whether the consent page was shown (false when this browser had approved the client before). */
  consentShown: boolean;
}

/** Signs in as `email` for the authorization request at `authorizationUrl`. */
export async function signInAsPerson(network: FlowNetwork, authorizationUrl: URL, email: string, browser = new ScriptedBrowser(network)): Promise<SignInResult> {
  let response = await browser.request(authorizationUrl);
  const consentShown = response.status === 200;
  if (consentShown) response = await submitConsent(browser, authorizationUrl.href, consentFormFields(await response.text()), "approve");
  const idpUrl = redirectTarget(response, authorizationUrl);
  await response.body?.cancel();
  const callback = await loginAtDevIdp(browser, idpUrl.href, email);
  const back = await browser.request(callback);
  const clientRedirect = redirectTarget(back, callback);
  await back.body?.cancel();
  const code = clientRedirect.searchParams.get("code");
  if (!code) throw new Error(`no code in the redirect to the client: ${clientRedirect.search}`);
  return { code, clientRedirect, consentShown };
}
