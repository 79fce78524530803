/**
 * The token exchange callback's split of props: the grant keeps the Access session (with the
 * sealed refresh token), access tokens carry the identity only, since they reach the /mcp handler
 * on every call. A grant from before the Access session existed is refused, so its user signs in again.
 */
import { GrantType, OAuthError, type TokenExchangeCallbackOptions } from "@cloudflare/workers-oauth-provider";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AUTH_METHOD_OIDC } from "@mcpbox/shared";
import { readConfig } from "../src/env";
import { grantPropsAtSignIn } from "../src/oauth/grant-props";
import { createRefreshRecheck } from "../src/oauth/refresh-recheck";
import { requestEnv, type ProviderEnv } from "../src/oauth/request-context";
import { JwksCache } from "../src/oidc/jwks-cache";

const NOW = Math.floor(Date.now() / 1000);
const callback = createRefreshRecheck({ jwks: new JwksCache(), nowSeconds: () => NOW });

function options(grantType: GrantType, props: unknown): TokenExchangeCallbackOptions<ProviderEnv> {
  const result = readConfig(env);
  if (!result.ok) throw result.error;
  return {
    grantType,
    clientId: "client-1",
    subjectClientId: "client-1",
    userId: "user-1",
    grantId: "grant-1",
    scope: [],
    requestedScope: [],
    resource: "https://worker.example/",
    props,
    env: requestEnv(env, result.config),
  };
}

const identity = { sub: "user-1", email: "ada@example.com", authMethod: AUTH_METHOD_OIDC } as const;

describe("the token exchange callback", () => {
  it("at the code exchange: access tokens get the identity only, the grant keeps its props, the first refresh lifetime is set", async () => {
    const cookieKey = crypto.getRandomValues(new Uint8Array(32));
    const props = await grantPropsAtSignIn(identity, { nowSeconds: NOW, nonce: "n", accessRefreshToken: "access-rt", cookieKey });
    expect(props.accessSession.sealedRefreshToken).toMatch(/^v1\./);
    const result = await callback(options(GrantType.AUTHORIZATION_CODE, props));
    expect(result).toEqual({ accessTokenProps: identity, refreshTokenTTL: 7 * 86_400 });
    expect(JSON.stringify(result)).not.toContain("accessSession");
  });

  it("at a refresh that is not due: the grant's props stay, access tokens get the identity only", async () => {
    const props = await grantPropsAtSignIn(identity, {
      nowSeconds: NOW - 10,
      nonce: "n",
      accessRefreshToken: undefined,
      cookieKey: new Uint8Array(32),
    });
    const result = await callback(options(GrantType.REFRESH_TOKEN, props));
    expect(result).toEqual({ accessTokenProps: identity, refreshTokenIdleTTL: 7 * 86_400 });
  });

  it("refuses a grant made before the Access session existed (invalid_grant: the library then revokes it)", async () => {
    for (const grantType of [GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN]) {
      const refused = await callback(options(grantType, identity)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(OAuthError);
      expect(refused).toMatchObject({ code: "invalid_grant", description: expect.stringContaining("Sign in again") });
    }
  });
});
