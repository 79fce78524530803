/**
 * oidc-provider configuration that behaves like a Cloudflare Access for SaaS OIDC application:
 * endpoints `/authorization`, `/token`, `/jwks` under the issuer, RS256 id_tokens that carry the
 * email, PKCE required, no consent screen (Access shows none), our own email-only login page, and,
 * as with `grant_types` including `refresh_tokens`, refresh tokens that end with the session.
 */
import { randomBytes } from "node:crypto";
import type { Adapter, Configuration, KoaContextWithOIDC } from "oidc-provider";
import { ACCESS_OFFLINE_SCOPE, ACCESS_OIDC_SCOPES } from "@mcpbox/shared";
import { renderErrorPage } from "./login-page";
import { DEV_IDP_INTERACTION_SEGMENT } from "./login-form";
import type { SigningKey } from "./keys";

export interface DevAccount {
  accountId: string;
  email: string;
}

/** How the app issues refresh tokens; `undefined` models an Access app without `refresh_tokens`. */
export interface DevRefreshTokenSettings {
  /** `refresh_token_options.lifetime`: how long each refresh token is valid after it is issued. */
  lifetimeSeconds: number;
  /** Whether a refresh returns a new refresh token and retires the one used. */
  rotate: boolean;
  /** Whether a refresh response carries a new id_token. */
  idTokenOnRefresh: boolean;
}

export interface ProviderConfigInput {
  mountPath: string;
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
  tokenEndpointAuthMethod: "client_secret_post" | "client_secret_basic";
  /** Signing keys, newest first: oidc-provider signs with the first and publishes all. */
  keys: readonly SigningKey[];
  idTokenTtlSeconds: number;
  /** Access's session duration: sessions, grants, and the refresh tokens bound to them end after it. */
  sessionTtlSeconds: number;
  refreshTokens: DevRefreshTokenSettings | undefined;
  /** Cookie signing keys; kept across key rotations so sessions survive. */
  cookieKeys: string[];
  findAccount(accountId: string): Promise<DevAccount | undefined>;
  /** Storage for oidc-provider's models (one per IdP, kept across key rotations). */
  adapter: (model: string) => Adapter;
}

/** A new random cookie signing key. */
export function newCookieKey(): string {
  return randomBytes(32).toString("hex");
}

/** The full oidc-provider configuration. */
export function providerConfiguration(input: ProviderConfigInput): Configuration {
  const refresh = input.refreshTokens;
  return {
    adapter: input.adapter,
    clients: [
      {
        client_id: input.clientId,
        client_secret: input.clientSecret,
        redirect_uris: [...input.redirectUris],
        grant_types: refresh ? ["authorization_code", "refresh_token"] : ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: input.tokenEndpointAuthMethod,
      },
    ],
    jwks: { keys: input.keys.map((key) => ({ ...key.privateJwk })) as NonNullable<Configuration["jwks"]>["keys"] },
    routes: { authorization: "/authorization", token: "/token", jwks: "/jwks", userinfo: "/userinfo" },
    // Access turns offline_access on by itself when the app issues refresh tokens.
    scopes: refresh ? [...ACCESS_OIDC_SCOPES, ACCESS_OFFLINE_SCOPE] : [...ACCESS_OIDC_SCOPES],
    // Access issues a refresh token to an app with refresh tokens on, with no consent prompt
    // (oidc-provider's default wants offline_access granted through prompt=consent). Without
    // offline_access granted, expiresWithSession keeps each refresh token bound to the session:
    // Cloudflare's "the global session would take precedence".
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: refresh?.rotate ?? false,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // Access puts the email in the id_token itself; oidc-provider would otherwise keep scope
    // claims for the userinfo endpoint when an access token is issued.
    conformIdTokenClaims: false,
    responseTypes: ["code"],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction) => `${input.mountPath}${DEV_IDP_INTERACTION_SEGMENT}${interaction.uid}`,
    },
    findAccount: async (_ctx, sub) => {
      const account = await input.findAccount(sub);
      if (!account) return undefined;
      return {
        accountId: account.accountId,
        claims: () => ({
          sub: account.accountId,
          email: account.email,
          email_verified: true,
          name: account.email.split("@")[0] ?? account.email,
        }),
      };
    },
    // Access has no consent step of its own: grant the OIDC scopes to our one client.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const session = oidc.session;
      const client = oidc.client;
      if (!session?.accountId || !client) return undefined;
      const existingId = session.grantIdFor(client.clientId);
      if (existingId) {
        const existing = await oidc.provider.Grant.find(existingId);
        if (existing) return existing;
      }
      const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(ACCESS_OIDC_SCOPES.join(" "));
      await grant.save();
      return grant;
    },
    cookies: { keys: input.cookieKeys },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 120,
      IdToken: input.idTokenTtlSeconds,
      Interaction: 600,
      Session: input.sessionTtlSeconds,
      Grant: input.sessionTtlSeconds,
      // "Valid for after creation": a rotated refresh token gets the full lifetime again.
      ...(refresh ? { RefreshToken: refresh.lifetimeSeconds } : {}),
    },
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = renderErrorPage(out);
    },
  };
}
