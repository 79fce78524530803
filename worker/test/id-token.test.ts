/**
 * The pure id_token verifier, with keys made in the test and the time passed in: RS256 only, key by
 * kid, iss, aud/azp, nonce, exp/nbf/iat with 60 s of skew. Each rule is shown to refuse a token
 * that breaks only that rule, next to a token that passes.
 */
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyIdToken, type IdTokenFailure } from "../src/oidc/id-token";

const NOW = 1_900_000_000;
const ISSUER = "https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123";
const AUDIENCE = "abc123";
const NONCE = "nonce-0123456789";

let signingKey: CryptoKey;
let otherKey: CryptoKey;
let rs512Key: CryptoKey;
let keys: Map<string, JWK>;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  otherKey = (await generateKeyPair("RS256")).privateKey;
  rs512Key = (await generateKeyPair("RS512")).privateKey;
  keys = new Map([["k1", publicJwk]]);
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-1",
    email: "user@example.com",
    name: "User",
    nonce: NONCE,
    iat: NOW - 5,
    exp: NOW + 300,
    ...overrides,
  };
}

async function sign(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: CryptoKey | Uint8Array = signingKey,
): Promise<string> {
  const { alg = "RS256", ...rest } = header;
  return new SignJWT(payload).setProtectedHeader({ alg: String(alg), kid: "k1", ...rest }).sign(key);
}

function b64(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const expected = { issuer: ISSUER, audience: AUDIENCE, nonce: NONCE, nowSeconds: NOW };

describe("verifyIdToken", () => {
  it("accepts a token that meets every rule and returns the identity", async () => {
    const result = await verifyIdToken(await sign(claims()), keys, expected);
    expect(result).toEqual({ ok: true, identity: { sub: "user-1", email: "user@example.com", name: "User" } });
  });

  it("accepts a token that is 59 s expired and one whose nbf is 59 s ahead (clock skew)", async () => {
    expect((await verifyIdToken(await sign(claims({ exp: NOW - 59 })), keys, expected)).ok).toBe(true);
    expect((await verifyIdToken(await sign(claims({ nbf: NOW + 59 })), keys, expected)).ok).toBe(true);
  });

  it("accepts several audiences when azp names us", async () => {
    const token = await sign(claims({ aud: [AUDIENCE, "other"], azp: AUDIENCE }));
    expect((await verifyIdToken(token, keys, expected)).ok).toBe(true);
  });

  const refusals: Array<[string, () => Promise<string>, IdTokenFailure]> = [
    ["alg none", async () => `${b64({ alg: "none", kid: "k1" })}.${b64(claims())}.`, "algorithm_not_allowed"],
    [
      "HS256 keyed with the public key",
      () => sign(claims(), { alg: "HS256" }, new TextEncoder().encode(JSON.stringify(publicJwk))),
      "algorithm_not_allowed",
    ],
    ["RS512 (another RSA algorithm)", () => sign(claims(), { alg: "RS512" }, rs512Key), "algorithm_not_allowed"],
    ["no kid", async () => new SignJWT(claims()).setProtectedHeader({ alg: "RS256" }).sign(signingKey), "missing_kid"],
    ["an unknown kid", () => sign(claims(), { kid: "k2" }), "unknown_kid"],
    ["a signature by another key under our kid", () => sign(claims(), {}, otherKey), "bad_signature"],
    ["a wrong issuer", () => sign(claims({ iss: "https://evil.example" })), "wrong_issuer"],
    ["a wrong audience", () => sign(claims({ aud: "someone-else" })), "wrong_audience"],
    ["several audiences without azp", () => sign(claims({ aud: [AUDIENCE, "other"] })), "wrong_authorized_party"],
    ["a wrong nonce", () => sign(claims({ nonce: "other-nonce" })), "nonce_mismatch"],
    ["no nonce", () => sign(claims({ nonce: undefined })), "nonce_mismatch"],
    ["exp 61 s in the past", () => sign(claims({ exp: NOW - 61 })), "expired"],
    ["nbf 61 s in the future", () => sign(claims({ nbf: NOW + 61 })), "not_yet_valid"],
    ["iat 61 s in the future", () => sign(claims({ iat: NOW + 61 })), "issued_in_future"],
    ["no iat", () => sign(claims({ iat: undefined })), "missing_claim"],
    ["no exp", () => sign(claims({ exp: undefined })), "missing_claim"],
    ["no sub", () => sign(claims({ sub: undefined })), "missing_claim"],
    ["a token that is not a JWS", async () => "not.a.token", "malformed"],
  ];

  it.each(refusals)("refuses %s", async (_name, make, reason) => {
    const result = await verifyIdToken(await make(), keys, expected);
    expect(result).toMatchObject({ ok: false, reason });
  });

  it("refuses a key that is not an RS256 signing key, even under the right kid", async () => {
    const encryptionKey = new Map([["k1", { ...publicJwk, use: "enc" }]]);
    expect(await verifyIdToken(await sign(claims()), encryptionKey, expected)).toMatchObject({ ok: false, reason: "unusable_key" });
    const otherAlg = new Map([["k1", { ...publicJwk, alg: "RS512" }]]);
    expect(await verifyIdToken(await sign(claims()), otherAlg, expected)).toMatchObject({ ok: false, reason: "unusable_key" });
  });
});
