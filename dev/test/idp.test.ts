/**
 * The development IdP as a library: Cloudflare Access for SaaS's URL layout on 127.0.0.1, a
 * scripted login through its form, RS256 id_tokens with kid/email/nonce, PKCE required, cancel
 * answered with access_denied, and key rotation to a new kid.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_IDP_BANNER, startDevIdp, type DevIdp } from "../src/idp/index";
import { loginAtDevIdp } from "../src/test-kit";
import { authorizationRequest, decodeJwt, idpBrowser, signIn, type IdpClient } from "./helpers/idp-client";

const CLIENT_ID = "dev-test-app";
const CLIENT_SECRET = "dev-test-secret";
const REDIRECT_URI = "https://worker.example/callback";

let idp: DevIdp;

beforeAll(async () => {
  idp = await startDevIdp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
});

afterAll(async () => {
  await idp.close();
});

const client = (): IdpClient => ({ idp, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI });

describe("startDevIdp", () => {
  it("serves Access for SaaS's URL layout on 127.0.0.1, with RS256 keys by kid", async () => {
    expect(idp.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.issuer).toBe(`${idp.origin}/cdn-cgi/access/sso/oidc/${CLIENT_ID}`);
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}/authorization`,
      token_endpoint: `${idp.issuer}/token`,
      jwks_uri: `${idp.issuer}/jwks`,
      code_challenge_methods_supported: ["S256"],
    });
    const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", kid: idp.currentKid, alg: "RS256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
  });

  it("shows a login page marked development only", async () => {
    const { url } = await authorizationRequest(client());
    const browser = idpBrowser();
    const redirect = await browser.request(url);
    const page = await browser.request(new URL(redirect.headers.get("Location") ?? "", url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(DEV_IDP_BANNER);
  });

  it("signs in by posting the form and issues an RS256 id_token carrying kid, email and nonce", async () => {
    const { idToken, nonce } = await signIn(client(), "ada@example.com");
    const { header, payload } = decodeJwt(idToken);
    expect(header).toMatchObject({ alg: "RS256", kid: idp.currentKid });
    expect(payload).toMatchObject({ iss: idp.issuer, aud: CLIENT_ID, email: "ada@example.com", email_verified: true, nonce });
    expect(typeof payload.sub).toBe("string");
  });

  it("requires PKCE, as the Worker always sends it", async () => {
    const { url } = await authorizationRequest(client(), { pkce: false });
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("Location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });

  it("answers access_denied when the user cancels", async () => {
    const { url } = await authorizationRequest(client());
    const callback = await loginAtDevIdp(idpBrowser(), url.href, "", { cancel: true });
    expect(callback.searchParams.get("error")).toBe("access_denied");
  });

  it("rotates to a new kid: new tokens use it and the old key stays published", async () => {
    const before = idp.currentKid;
    const after = idp.rotateKey();
    expect(after).not.toBe(before);
    const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual([after, before]);
    const { idToken } = await signIn(client(), "grace@example.com");
    expect(decodeJwt(idToken).header.kid).toBe(after);
  });
});
