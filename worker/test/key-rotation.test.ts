/**
 * Key rotation at the IdP: the Worker caches the JWKS, and after the IdP starts signing with a
 * new kid, the next login is accepted at once because the unknown kid triggers one refetch.
 * Uses its own IdP so rotating it cannot disturb other tests.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { harness, login, networkWithEnv } from "./helpers/workerd/worker-harness";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a signing-key rotation at the IdP", () => {
  it("is picked up on the next login: cached keys are reused, the new kid triggers one refetch", async () => {
    const idp = harness().rotationIdp;
    const network = networkWithEnv({
      ACCESS_CLIENT_ID: idp.clientId,
      ACCESS_CLIENT_SECRET: idp.clientSecret,
      ACCESS_AUTHORIZATION_URL: idp.authorizationUrl,
      ACCESS_TOKEN_URL: idp.tokenUrl,
      ACCESS_JWKS_URL: idp.jwksUrl,
    });
    const fetches = vi.spyOn(globalThis, "fetch");
    const jwksFetches = () => fetches.mock.calls.filter(([input]) => (input instanceof Request ? input.url : String(input)) === idp.jwksUrl).length;

    await login({ network });
    const afterFirst = jwksFetches();
    await login({ network });
    expect(jwksFetches()).toBe(afterFirst);

    const rotated = (await (await fetch(`${harness().harnessUrl}/control/rotate/rotation`, { method: "POST" })).json()) as { kid: string };
    const published = (await (await fetch(idp.jwksUrl)).json()) as { keys: Array<{ kid: string }> };
    expect(published.keys[0]?.kid).toBe(rotated.kid);
    const before = jwksFetches();

    const flow = await login({ network });
    expect(flow.tokens.access_token).toBeTruthy();
    expect(jwksFetches()).toBe(before + 1);
  });
});
