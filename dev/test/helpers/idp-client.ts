/**
 * The relying party's side of the development IdP for its own tests: an authorization request, a
 * sign-in through the login form with the code exchange, refreshes, and reading a JWT's parts.
 */
import { expect } from "vitest";
import type { DevIdp } from "../../src/idp/index";
import { ScriptedBrowser, loginAtDevIdp, newPkce, type FlowNetwork } from "../../src/test-kit";

export interface IdpClient {
  idp: DevIdp;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

const network: FlowNetwork = { workerOrigin: "https://worker.example", worker: () => Promise.reject(new Error("the RP is never called")) };

/** A JWT's header and payload. */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = "", payload = ""] = jwt.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>,
  };
}

/** An authorization request URL as the Worker builds it (PKCE unless `pkce: false`). */
export async function authorizationRequest(client: IdpClient, options: { pkce?: boolean; scope?: string } = {}) {
  const pkce = await newPkce();
  const nonce = crypto.randomUUID();
  const url = new URL(client.idp.authorizationUrl);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: options.scope ?? "openid email profile",
    state: "st",
    nonce,
  }).toString();
  if (options.pkce !== false) {
    url.searchParams.set("code_challenge", pkce.challenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return { url, pkce, nonce };
}

/** Signs `email` in through the login form and exchanges the code; returns the token answer. */
export async function signIn(client: IdpClient, email: string, options: { scope?: string } = {}): Promise<{ idToken: string; refreshToken?: string; nonce: string }> {
  const { url, pkce, nonce } = await authorizationRequest(client, options);
  const callback = await loginAtDevIdp(new ScriptedBrowser(network), url.href, email);
  expect(callback.origin + callback.pathname).toBe(client.redirectUri);
  expect(callback.searchParams.get("iss")).toBe(client.idp.issuer);
  const answer = await tokenRequest(client, {
    grant_type: "authorization_code",
    code: callback.searchParams.get("code") ?? "",
    redirect_uri: client.redirectUri,
    code_verifier: pkce.verifier,
  });
  expect(answer.status).toBe(200);
  const { id_token: idToken, refresh_token: refreshToken } = answer.body as { id_token: string; refresh_token?: string };
  return { idToken, nonce, ...(refreshToken ? { refreshToken } : {}) };
}

/** A token endpoint request with the client's credentials in the form (as the Worker sends them). */
export async function tokenRequest(client: IdpClient, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(client.idp.tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form, client_id: client.clientId, client_secret: client.clientSecret }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A browser that only ever talks to the IdP. */
export function idpBrowser(): ScriptedBrowser {
  return new ScriptedBrowser(network);
}
