/**
 * Puts OAuth grants into the fake API's KV the way @cloudflare/workers-oauth-provider 1.2 writes
 * them: `grant:{userId}:{grantId}` with the key metadata {clientId, resource, redirectUri} and a
 * KV expiration, `token:{userId}:{grantId}:{sha256}` access tokens with their TTL, and
 * `client:{clientId}` registrations. Records are typed with the library's own `Grant`/`Token`/
 * `ClientInfo`, so a renamed field fails the typecheck. (dev/test/grants.e2e.test.ts runs the real
 * library and copies what it wrote into this fake, too.)
 */
import { createHash, randomBytes } from "node:crypto";
import type { ClientInfo, Grant, Token } from "@cloudflare/workers-oauth-provider";
import { grantMetadataFor } from "@mcpbox/shared";
import type { FakeKvData } from "./fake-cloudflare/routes-kv-keys";

const RESOURCE = "https://mcpbox-proxy.example.workers.dev/";
const now = () => Math.floor(Date.now() / 1000);
const id16 = () => randomBytes(12).toString("base64url");

export interface SeededGrant {
  userId: string;
  grantId: string;
  grantKey: string;
  tokenKeys: string[];
}

export function seedClient(data: FakeKvData, clientName: string): string {
  const clientId = id16();
  const client: ClientInfo = {
    clientId,
    redirectUris: ["http://127.0.0.1:33418/oauth/callback"],
    clientName,
    grantTypes: ["authorization_code", "refresh_token"],
    responseTypes: ["code"],
    registrationDate: now(),
    tokenEndpointAuthMethod: "none",
  };
  data.entries.set(`client:${clientId}`, { value: JSON.stringify(client) });
  return clientId;
}

export interface GrantSeed {
  clientId: string;
  /** The user's email in the grant metadata; omit for a grant without one. */
  email?: string;
  /** Defaults to a UUID-shaped subject, as Cloudflare Access gives. */
  userId?: string;
  /** Defaults to 16 random characters of the library's alphabet. */
  grantId?: string;
  accessTokens?: number;
  /** True: the authorization code was not exchanged yet (no tokens, no refresh token). */
  pending?: boolean;
  /** Older grants carry no key metadata. */
  withoutKeyMetadata?: boolean;
}

export function seedGrant(data: FakeKvData, seed: GrantSeed): SeededGrant {
  const userId = seed.userId ?? crypto.randomUUID();
  const grantId = seed.grantId ?? id16();
  const createdAt = now() - 120;
  const redirectUri = "http://127.0.0.1:33418/oauth/callback";
  const grant: Grant = {
    id: grantId,
    clientId: seed.clientId,
    userId,
    scope: [],
    metadata: grantMetadataFor(seed.email),
    encryptedProps: randomBytes(96).toString("base64"),
    createdAt,
    resource: RESOURCE,
    redirectUri,
    ...(seed.pending
      ? { authCodeId: hash(), authCodeWrappedKey: randomBytes(40).toString("base64"), codeChallenge: id16(), codeChallengeMethod: "S256" }
      : {
          expiresAt: createdAt + 30 * 86_400,
          authCodeId: hash(),
          refreshTokenId: hash(),
          refreshTokenWrappedKey: randomBytes(40).toString("base64"),
        }),
  };
  const grantKey = `grant:${userId}:${grantId}`;
  data.entries.set(grantKey, {
    value: JSON.stringify(grant),
    expiration: grant.expiresAt ?? createdAt + 600,
    ...(seed.withoutKeyMetadata ? {} : { metadata: { clientId: seed.clientId, resource: RESOURCE, redirectUri } }),
  });
  const tokenKeys: string[] = [];
  for (let i = 0; i < (seed.pending ? 0 : (seed.accessTokens ?? 1)); i += 1) {
    const tokenId = hash();
    const token: Token = {
      id: tokenId,
      grantId,
      userId,
      createdAt: now(),
      expiresAt: now() + 3600,
      audience: RESOURCE,
      scope: [],
      wrappedEncryptionKey: randomBytes(40).toString("base64"),
      grant: { clientId: seed.clientId, scope: [], encryptedProps: grant.encryptedProps },
    };
    const key = `token:${userId}:${grantId}:${tokenId}`;
    data.entries.set(key, { value: JSON.stringify(token), expiration: token.expiresAt });
    tokenKeys.push(key);
  }
  return { userId, grantId, grantKey, tokenKeys };
}

function hash(): string {
  return createHash("sha256").update(randomBytes(32)).digest("hex");
}
