/**
 * The development IdP as a library: Cloudflare Access for SaaS's URL layout on 127.0.0.1, a
 * scripted login through its form, RS256 id_tokens with kid/email/nonce, PKCE required, cancel
 * answered with access_denied, and key rotation to a new kid.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_IDP_BANNER, startDevIdp, type DevIdp } from "../src/idp/index";
import { ScriptedBrowser, loginAtDevIdp, newPkce, type FlowNetwork } from "../src/oauth-flow";

const CLIENT_ID = "dev-test-app";
const CLIENT_SECRET = "dev-test-secret";
const REDIRECT_URI = "https://worker.example/callback";
const network: FlowNetwork = { workerOrigin: "https://worker.example", worker: () => Promise.reject(new Error("the RP is never called")) };

let idp: DevIdp;

beforeAll(async () => {
  idp = await startDevIdp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
});

afterAll(async () => {
  await idp.close();
});

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = "", payload = ""] = jwt.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>,
  };
}

async function authorizationRequest(options: { pkce?: boolean } = {}) {
  const pkce = await newPkce();
  const nonce = crypto.randomUUID();
  const url = new URL(idp.authorizationUrl);
  url.search = new URLSearchParams({ response_type: "code", client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: "openid email profile", state: "st", nonce }).toString();
  if (options.pkce !== false) {
    url.searchParams.set("code_challenge", pkce.challenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return { url, pkce, nonce };
}

async function signIn(email: string): Promise<{ idToken: string; nonce: string }> {
  const { url, pkce, nonce } = await authorizationRequest();
  const callback = await loginAtDevIdp(new ScriptedBrowser(network), url.href, email);
  expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
  expect(callback.searchParams.get("iss")).toBe(idp.issuer);
  const response = await fetch(idp.tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce.verifier,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }),
  });
  expect(response.status).toBe(200);
  return { idToken: ((await response.json()) as { id_token: string }).id_token, nonce };
}

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
    const { url } = await authorizationRequest();
    const browser = new ScriptedBrowser(network);
    const redirect = await browser.request(url);
    const page = await browser.request(new URL(redirect.headers.get("Location") ?? "", url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(DEV_IDP_BANNER);
  });

  it("signs in by posting the form and issues an RS256 id_token carrying kid, email and nonce", async () => {
    const { idToken, nonce } = await signIn("ada@example.com");
    const { header, payload } = decode(idToken);
    expect(header).toMatchObject({ alg: "RS256", kid: idp.currentKid });
    expect(payload).toMatchObject({ iss: idp.issuer, aud: CLIENT_ID, email: "ada@example.com", email_verified: true, nonce });
    expect(typeof payload.sub).toBe("string");
  });

  it("requires PKCE, as the Worker always sends it", async () => {
    const { url } = await authorizationRequest({ pkce: false });
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("Location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });

  it("answers access_denied when the user cancels", async () => {
    const { url } = await authorizationRequest();
    const callback = await loginAtDevIdp(new ScriptedBrowser(network), url.href, "", { cancel: true });
    expect(callback.searchParams.get("error")).toBe("access_denied");
  });

  it("rotates to a new kid: new tokens use it and the old key stays published", async () => {
    const before = idp.currentKid;
    const after = idp.rotateKey();
    expect(after).not.toBe(before);
    const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toEqual([after, before]);
    const { idToken } = await signIn("grace@example.com");
    expect(decode(idToken).header.kid).toBe(after);
  });
});
