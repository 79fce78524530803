/**
 * RS256 signing keys for the development IdP: fresh 2048-bit RSA keys with a `kid`, and a signer
 * tests use to forge id_tokens whose signature is valid (so only the claim under test is wrong).
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey } from "node:crypto";

export interface SigningKey {
  kid: string;
  /** Private JWK with `kid`, `alg: RS256` and `use: sig`, as oidc-provider's `jwks` expects. */
  privateJwk: JsonWebKey & { kid: string; alg: "RS256"; use: "sig" };
  /** The public half, as published at the JWKS endpoint. */
  publicJwk: JsonWebKey & { kid: string; alg: "RS256"; use: "sig" };
}

/** A new RSA signing key; `kid` is random unless given. */
export function newSigningKey(kid = `dev-${randomUUID()}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const meta = { kid, alg: "RS256" as const, use: "sig" as const };
  return {
    kid,
    privateJwk: { ...privateKey.export({ format: "jwk" }), ...meta },
    publicJwk: { ...publicKey.export({ format: "jwk" }), ...meta },
  };
}

/** Signs a compact JWS with RS256 over the given header and payload. */
export function signRs256(key: SigningKey, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = sign("sha256", Buffer.from(input), createPrivateKey({ key: key.privateJwk, format: "jwk" }));
  return `${input}.${signature.toString("base64url")}`;
}
