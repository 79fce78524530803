/**
 * Attacks on the authorization flow, one per test: replayed or transplanted state, a replayed
 * code, PKCE downgrades, a wrong verifier, redirect URIs that are not the registered one, and
 * forged consent posts. Each asserts the clear refusal and that nothing was granted or proxied.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  ScriptedBrowser,
  approveAuthorization,
  authorizationUrl,
  consentFormFields,
  exchangeCode,
  finishAtCallback,
  loginAtDevIdp,
  newPkce,
  prepareAuthorization,
  submitConsent,
  type PreparedAuthorization,
} from "@mcpbox/dev/test-kit";
import { ORIGIN, mcpPost, mcpUrl, newProbe, selfNetwork, standinRecords, uniqueEmail } from "./helpers/workerd/worker-harness";

const network = selfNetwork();

function prepare(options: { redirectUri?: string; clientName?: string } = {}): Promise<PreparedAuthorization> {
  return prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, ...options });
}

/** Logs in at the IdP and returns the /callback URL without opening it. */
async function reachCallback(prepared: PreparedAuthorization): Promise<URL> {
  const { idpUrl } = await approveAuthorization(prepared);
  return loginAtDevIdp(prepared.browser, idpUrl.href, uniqueEmail("hostile"));
}

/** Opens the consent page and returns its hidden form fields. */
async function consentForm(prepared: PreparedAuthorization): Promise<Record<string, string>> {
  const page = await prepared.browser.request(prepared.authorizeUrl);
  expect(page.status).toBe(200);
  return consentFormFields(await page.text());
}

async function expectNothingProxied(token?: string): Promise<void> {
  const probe = newProbe();
  const response = await SELF.fetch(mcpPost(mcpUrl(probe), token));
  expect(response.status).toBe(401);
  expect(await standinRecords(probe)).toEqual([]);
}

describe("upstream state", () => {
  it("a replayed callback (same state, same browser cookie) is refused after the first use", async () => {
    const prepared = await prepare();
    const callback = await reachCallback(prepared);
    const cookie = prepared.browser.jar.header(callback) ?? "";
    const first = await SELF.fetch(new Request(callback.href, { headers: { Cookie: cookie }, redirect: "manual" }));
    expect(first.status).toBe(302);
    const replay = await SELF.fetch(new Request(callback.href, { headers: { Cookie: cookie }, redirect: "manual" }));
    expect(replay.status).toBe(400);
    expect(replay.headers.get("Location")).toBeNull();
    expect(await replay.text()).toContain("This sign-in link has expired, was already used, or was opened in another browser.");
    await expectNothingProxied();
  });

  it("a callback opened in another browser (state without its binding cookie) is refused", async () => {
    const prepared = await prepare();
    const callback = await reachCallback(prepared);
    const stranger = new ScriptedBrowser(network);
    const response = await stranger.request(callback);
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
    expect(await response.text()).toContain("opened in another browser");
    await expectNothingProxied();
  });
});

describe("authorization codes and PKCE", () => {
  it("a replayed authorization code is refused and revokes the tokens it already produced", async () => {
    const prepared = await prepare();
    const { code } = await finishAtCallback(prepared, await reachCallback(prepared));
    const first = await exchangeCode(network, prepared, code);
    expect(first.status).toBe(200);
    const token = String(first.body.access_token);
    const replay = await exchangeCode(network, prepared, code);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
    await expectNothingProxied(token);
  });

  it("a wrong code_verifier gets invalid_grant and no token", async () => {
    const prepared = await prepare();
    const { code } = await finishAtCallback(prepared, await reachCallback(prepared));
    const other = await newPkce();
    const response = await exchangeCode(network, prepared, code, other.verifier);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("invalid_grant");
    expect(response.body.access_token).toBeUndefined();
    await expectNothingProxied();
  });

  it("PKCE plain is refused: the client gets invalid_request (with iss), and no consent or login happens", async () => {
    const prepared = await prepare();
    const url = new URL(prepared.authorizeUrl);
    url.searchParams.set("code_challenge", prepared.pkce.verifier);
    url.searchParams.set("code_challenge_method", "plain");
    const response = await prepared.browser.request(url);
    expect(response.status).toBe(302);
    const redirect = new URL(response.headers.get("Location") ?? "");
    expect(redirect.origin + redirect.pathname).toBe(prepared.redirectUri);
    expect(redirect.searchParams.get("error")).toBe("invalid_request");
    expect(redirect.searchParams.get("iss")).toBe(ORIGIN);
    expect(redirect.searchParams.get("state")).toBe(prepared.state);
    expect(redirect.searchParams.get("code")).toBeNull();
    await expectNothingProxied();
  });

  it("an authorization request without PKCE is refused the same way", async () => {
    const prepared = await prepare();
    const url = new URL(prepared.authorizeUrl);
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const response = await prepared.browser.request(url);
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("Location") ?? "").searchParams.get("error")).toBe("invalid_request");
    await expectNothingProxied();
  });
});

describe("redirect URIs", () => {
  const cases: Array<[string, string, string]> = [
    ["an unregistered https URI", "https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/other_callback"],
    ["a plain-http, non-loopback URI", "https://claude.ai/api/mcp/auth_callback", "http://claude.ai/api/mcp/auth_callback"],
    ["a look-alike host", "https://claude.ai/api/mcp/auth_callback", "https://claude.ai.evil.example/api/mcp/auth_callback"],
  ];

  it.each(cases)("%s is refused on a page, never redirected to", async (_name, registered, attempted) => {
    const prepared = await prepare({ redirectUri: registered });
    const pkce = await newPkce();
    const url = authorizationUrl(prepared.discovery.authorizationServer.authorization_endpoint, {
      clientId: prepared.client.client_id,
      redirectUri: attempted,
      pkce,
      state: "s",
      resource: prepared.resource,
    });
    const response = await prepared.browser.request(url);
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
    const page = await response.text();
    expect(page).toContain("invalid sign-in request");
    expect(page).not.toContain('name="handle"');
    await expectNothingProxied();
  });
});

describe("the consent form", () => {
  it("shows the client name (escaped), where tokens go, the scopes, the loopback warning, and cannot be framed", async () => {
    const prepared = await prepare({ clientName: '<img src=x onerror="alert(1)"> Evil & Co' });
    const url = new URL(prepared.authorizeUrl);
    url.searchParams.set("scope", "files:read files:write");
    const page = await prepared.browser.request(url);
    expect(page.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("X-Frame-Options")).toBe("DENY");
    const html = await page.text();
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("Allow <bdi>&#60;img src=x onerror=&#34;alert(1)&#34;&#62; Evil &#38; Co</bdi> to use the MCP server at");
    expect(html).toContain("Its access is sent to <bdi>127.0.0.1</bdi>.");
    expect(html).toContain("an app on your own computer");
    expect(html).toContain("It asks for: <bdi>files:read, files:write</bdi>.");
  });

  it("Deny sends access_denied (with state and iss) back to the client", async () => {
    const prepared = await prepare();
    const form = await consentForm(prepared);
    const response = await submitConsent(prepared.browser, prepared.authorizeUrl, form, "deny");
    expect(response.status).toBe(302);
    const redirect = new URL(response.headers.get("Location") ?? "");
    expect(redirect.searchParams.get("error")).toBe("access_denied");
    expect(redirect.searchParams.get("state")).toBe(prepared.state);
    expect(redirect.searchParams.get("iss")).toBe(ORIGIN);
  });

  const forgeries: Array<[string, (form: Record<string, string>, other: Record<string, string>) => Record<string, string>]> = [
    ["without a CSRF token", (form) => ({ handle: form.handle ?? "", client_id: form.client_id ?? "" })],
    ["with a wrong CSRF token", (form) => ({ ...form, csrf_token: "A".repeat(43) })],
    ["with the CSRF token of another client's page", (form, other) => ({ ...form, csrf_token: other.csrf_token ?? "" })],
    ["claiming another client", (form, other) => ({ ...form, client_id: other.client_id ?? "" })],
  ];

  it.each(forgeries)("a POST %s is refused and does not reach Cloudflare Access", async (_name, tamper) => {
    const prepared = await prepare();
    const form = await consentForm(prepared);
    const otherPrepared = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, browser: prepared.browser, clientName: "Other client" });
    const other = await consentForm(otherPrepared);
    const response = await submitConsent(prepared.browser, prepared.authorizeUrl, tamper(form, other), "approve");
    expect(response.status).toBe(403);
    expect(response.headers.get("Location")).toBeNull();
    expect(await response.text()).toContain("This consent form was not issued for this request.");
    // The genuine form still works afterwards: the refused post consumed nothing.
    const genuine = await submitConsent(prepared.browser, prepared.authorizeUrl, form, "approve");
    expect(genuine.status).toBe(302);
    await expectNothingProxied();
  });

  it("a cross-site POST (another Origin) is refused even with the right fields", async () => {
    const prepared = await prepare();
    const form = await consentForm(prepared);
    const response = await submitConsent(prepared.browser, prepared.authorizeUrl, form, "approve", {
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("posted from another site");
    await expectNothingProxied();
  });

  it("a POST from another browser (no binding cookie) is refused", async () => {
    const prepared = await prepare();
    const form = await consentForm(prepared);
    const stranger = new ScriptedBrowser(network);
    const response = await submitConsent(stranger, prepared.authorizeUrl, form, "approve");
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
    expect(await response.text()).toContain("opened in another browser");
  });
});
