/**
 * The development IdP's refresh tokens, as an Access for SaaS app with `refresh_tokens` issues
 * them: issued at the code exchange without a consent prompt, refreshed with a new id_token for
 * the same user, rotated (the old one then refused) or not, refused once the operator removes the
 * user or ends their session, absent when the app has refresh tokens off, and kept in the store file.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_IDP_LOGIN_FIELD, startDevIdp, type DevIdp, type DevIdpOptions } from "../src/idp/index";
import { authorizationRequest, decodeJwt, idpBrowser, signIn, tokenRequest, type IdpClient } from "./helpers/idp-client";

const REDIRECT_URI = "https://worker.example/callback";
const ACCESS_SCOPES = "openid email profile offline_access";
const started: DevIdp[] = [];
let stateDir: string;

async function client(options: Partial<DevIdpOptions> = {}): Promise<IdpClient> {
  const clientId = options.clientId ?? `app-${crypto.randomUUID().slice(0, 8)}`;
  const clientSecret = options.clientSecret ?? crypto.randomUUID();
  const idp = await startDevIdp({ redirectUris: [REDIRECT_URI], ...options, clientId, clientSecret });
  started.push(idp);
  return { idp, clientId, clientSecret, redirectUri: REDIRECT_URI };
}

function refresh(rp: IdpClient, refreshToken: string) {
  return tokenRequest(rp, { grant_type: "refresh_token", refresh_token: refreshToken });
}

let rotating: IdpClient;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-idp-"));
  rotating = await client();
});

afterAll(async () => {
  await Promise.all(started.map((idp) => idp.close()));
  await rm(stateDir, { recursive: true, force: true });
});

describe("an app with refresh tokens on (the default)", () => {
  it("offers offline_access and issues a refresh token at the code exchange, with no consent step", async () => {
    const discovery = (await (await fetch(`${rotating.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.scopes_supported).toContain("offline_access");
    expect(discovery.grant_types_supported).toContain("refresh_token");
    const { refreshToken } = await signIn(rotating, "ada@example.com", { scope: ACCESS_SCOPES });
    expect(refreshToken).toEqual(expect.any(String));
  });

  it("refreshes with a new id_token for the same user (same iss, aud, sub; the sign-in's nonce) and a rotated refresh token", async () => {
    const first = await signIn(rotating, "grace@example.com", { scope: ACCESS_SCOPES });
    const answer = await refresh(rotating, first.refreshToken ?? "");
    expect(answer.status).toBe(200);
    const { id_token: idToken, refresh_token: rotated } = answer.body as { id_token: string; refresh_token: string };
    const before = decodeJwt(first.idToken).payload;
    const after = decodeJwt(idToken).payload;
    expect(after).toMatchObject({ iss: before.iss, aud: before.aud, sub: before.sub, email: "grace@example.com", nonce: first.nonce });
    expect(rotated).toEqual(expect.any(String));
    expect(rotated).not.toBe(first.refreshToken);
    // The retired token is refused, and its reuse ends the whole grant (the rotated one too).
    expect((await refresh(rotating, first.refreshToken ?? "")).body.error).toBe("invalid_grant");
    expect((await refresh(rotating, rotated)).body.error).toBe("invalid_grant");
  });

  it("refuses refreshes once the operator removes the user from the policy, and refuses the user's next sign-in", async () => {
    const { refreshToken } = await signIn(rotating, "mallory@example.com", { scope: ACCESS_SCOPES });
    await rotating.idp.removeAccount("mallory@example.com");
    const answer = await refresh(rotating, refreshToken ?? "");
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");

    const { url } = await authorizationRequest(rotating, { scope: ACCESS_SCOPES });
    const browser = idpBrowser();
    const login = new URL((await browser.request(url)).headers.get("Location") ?? "", url);
    const refused = await browser.request(login, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ [DEV_IDP_LOGIN_FIELD]: "mallory@example.com" }).toString(),
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("not allowed by this application");
  });

  it("refuses refreshes once the operator ends the user's sessions (refresh tokens end with the session)", async () => {
    const { refreshToken } = await signIn(rotating, "eve@example.com", { scope: ACCESS_SCOPES });
    expect(await rotating.idp.endSessions("eve@example.com")).toBe(1);
    expect((await refresh(rotating, refreshToken ?? "")).body.error).toBe("invalid_grant");
  });
});

describe("other app settings", () => {
  it("without rotation or refresh id_tokens: the answer has neither, and the same refresh token keeps working", async () => {
    const plain = await client({ refreshTokens: { rotate: false, idTokenOnRefresh: false } });
    const { refreshToken } = await signIn(plain, "ada@example.com", { scope: ACCESS_SCOPES });
    for (let round = 0; round < 2; round++) {
      const answer = await refresh(plain, refreshToken ?? "");
      expect(answer.status).toBe(200);
      expect(answer.body.access_token).toEqual(expect.any(String));
      expect(answer.body).not.toHaveProperty("id_token");
      expect(answer.body).not.toHaveProperty("refresh_token");
    }
  });

  it("with refresh tokens off: offline_access is ignored and no refresh token is issued", async () => {
    const off = await client({ refreshTokens: false });
    const discovery = (await (await fetch(`${off.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.scopes_supported).not.toContain("offline_access");
    const { idToken, refreshToken } = await signIn(off, "ada@example.com", { scope: ACCESS_SCOPES });
    expect(decodeJwt(idToken).payload.email).toBe("ada@example.com");
    expect(refreshToken).toBeUndefined();
  });

  it("with a store file: refresh tokens, sessions and accounts survive a restart (file mode 0600)", async () => {
    const storeFile = path.join(stateDir, "idp-store.json");
    const first = await client({ storeFile });
    const { refreshToken } = await signIn(first, "ada@example.com", { scope: ACCESS_SCOPES });
    await first.idp.close();
    started.splice(started.indexOf(first.idp), 1);
    expect((await stat(storeFile)).mode & 0o777).toBe(0o600);

    const second = await client({ storeFile, clientId: first.clientId, clientSecret: first.clientSecret });
    const answer = await refresh(second, refreshToken ?? "");
    expect(answer.status).toBe(200);
    expect(decodeJwt((answer.body as { id_token: string }).id_token).payload.email).toBe("ada@example.com");
  });
});
