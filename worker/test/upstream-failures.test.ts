/**
 * When the sign-in at Cloudflare Access does not work out: the user declines or Access reports an
 * error, the token endpoint is down or refuses the Worker, the keys cannot be read, the response
 * comes from the wrong issuer, or ALLOWED_EMAILS excludes the user. Each gives a page that says
 * what happened and what to check, logs the detail, and grants nothing.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { devSubjectFor, approveAuthorization, loginAtDevIdp, prepareAuthorization, type FlowNetwork } from "@mcpbox/dev/test-kit";
import { ORIGIN, harness, login, networkWithEnv, pageText, selfNetwork, uniqueEmail } from "./helpers/workerd/worker-harness";

afterEach(() => {
  vi.restoreAllMocks();
});

async function attempt(network: FlowNetwork, email: string, options: { cancel?: boolean; callback?: (url: URL) => URL } = {}) {
  const logs = [vi.spyOn(console, "error"), vi.spyOn(console, "warn")];
  const prepared = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp` });
  const { idpUrl } = await approveAuthorization(prepared);
  let callback = await loginAtDevIdp(prepared.browser, idpUrl.href, email, { cancel: options.cancel ?? false });
  if (options.callback) callback = options.callback(callback);
  const response = await prepared.browser.request(callback);
  const logged = logs.flatMap((spy) => spy.mock.calls.map((call) => String(call[0]))).join("\n");
  return { prepared, response, page: pageText(await response.text()), logged, idpUrl };
}

async function grantsOf(email: string): Promise<number> {
  const listed = await env.OAUTH_KV.list({ prefix: `grant:${encodeURIComponent(await devSubjectFor(email))}:` });
  return listed.keys.length;
}

describe("Cloudflare Access reports a failure at /callback", () => {
  it("the user declines at the IdP: a page says so, with a link that returns access_denied to the app", async () => {
    const email = uniqueEmail("decliner");
    const { response, page, prepared, logged } = await attempt(selfNetwork(), email, { cancel: true });
    expect(response.status).toBe(403);
    expect(page).toContain("Cloudflare Access did not sign you in.");
    expect(page).toContain("allowed by the Access application");
    const link = /<a href="([^"]+)">Return to the app/.exec(page)?.[1] ?? "";
    const back = new URL(link);
    expect(back.origin + back.pathname).toBe(prepared.redirectUri);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe(prepared.state);
    expect(back.searchParams.get("iss")).toBe(ORIGIN);
    expect(logged).toContain('"upstream_error":"access_denied"');
    expect(await grantsOf(email)).toBe(0);
  });

  it("another error from Access points at the identity-provider setup", async () => {
    const { response, page } = await attempt(selfNetwork(), uniqueEmail(), {
      callback: (url) => {
        const crafted = new URL(url);
        crafted.searchParams.delete("code");
        crafted.searchParams.set("error", "server_error");
        return crafted;
      },
    });
    expect(response.status).toBe(502);
    expect(page).toContain("Cloudflare Access reported an error (server_error).");
    expect(page).toContain("identity provider");
  });

  it("a response naming another issuer (iss) is refused", async () => {
    const { response, logged } = await attempt(selfNetwork(), uniqueEmail(), {
      callback: (url) => {
        const crafted = new URL(url);
        crafted.searchParams.set("iss", "https://evil.cloudflareaccess.com/cdn-cgi/access/sso/oidc/x");
        return crafted;
      },
    });
    expect(response.status).toBe(502);
    expect(logged).toContain("callback_iss_mismatch");
  });
});

describe("the Worker cannot finish the sign-in", () => {
  it("the token endpoint is down: a page says Access could not be reached", async () => {
    const email = uniqueEmail();
    const { response, page, logged } = await attempt(networkWithEnv({ ACCESS_TOKEN_URL: harness().unreachableUrl }), email);
    expect(response.status).toBe(502);
    expect(page).toContain("could not reach Cloudflare Access");
    expect(logged).toContain('"stage":"token_exchange"');
    expect(await grantsOf(email)).toBe(0);
  });

  it("the token endpoint refuses the Worker's credentials: the page names what to check, not the secret", async () => {
    const secret = "wrong-secret-value-that-must-not-leak";
    const { response, page, logged } = await attempt(networkWithEnv({ ACCESS_CLIENT_SECRET: secret }), uniqueEmail());
    expect(response.status).toBe(502);
    expect(page).toContain("Cloudflare Access refused to finish signing you in.");
    expect(page).toContain("Zero Trust");
    expect(page).not.toContain(secret);
    expect(logged).toContain('"oauth_error":"invalid_client"');
    expect(logged).not.toContain(secret);
  });

  it("the signing keys cannot be read: a page says so", async () => {
    const { response, page, logged } = await attempt(networkWithEnv({ ACCESS_JWKS_URL: `${harness().harnessUrl}/missing-jwks` }), uniqueEmail());
    expect(response.status).toBe(502);
    expect(page).toContain("could not read Cloudflare Access's signing keys");
    expect(logged).toContain('"stage":"jwks"');
  });
});

describe("ALLOWED_EMAILS", () => {
  const network = networkWithEnv({ ALLOWED_EMAILS: "boss@mcpbox.test, *@team.mcpbox.test" });

  it("admits a listed address and a listed domain", async () => {
    expect((await login({ network, email: "boss@mcpbox.test" })).tokens.access_token).toBeTruthy();
    expect((await login({ network, email: "dev@team.mcpbox.test" })).tokens.access_token).toBeTruthy();
  });

  it("turns away anyone else at login with a page naming the account", async () => {
    const email = uniqueEmail("intruder");
    const { response, page } = await attempt(network, email);
    expect(response.status).toBe(403);
    expect(page).toContain(`The account ${email} is not allowed to use this MCP server.`);
    expect(await grantsOf(email)).toBe(0);
  });
});
