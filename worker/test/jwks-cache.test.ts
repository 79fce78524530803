/**
 * The JWKS cache with the time passed in: keys are reused while fresh, an unknown kid triggers one
 * immediate refetch (so a rotation works on the next login), further unknown-kid refetches are
 * spaced out, and fetchJwks reads the real development IdP's key set.
 */
import type { JWK } from "jose";
import { describe, expect, it } from "vitest";
import { JwksCache, JwksFetchError, fetchJwks } from "../src/oidc/jwks-cache";
import { harness } from "./helpers/workerd/worker-harness";

const URL_A = "https://idp.example/jwks";
const key = (kid: string): JWK => ({ kty: "RSA", kid, n: "AQAB", e: "AQAB" });

/** A loader that serves `sets[i]` on its i-th call and counts the calls. */
function loader(...sets: string[][]) {
  const calls: string[] = [];
  const load = async (url: string) => {
    calls.push(url);
    const kids = sets[Math.min(calls.length - 1, sets.length - 1)] ?? [];
    return new Map(kids.map((kid) => [kid, key(kid)]));
  };
  return { calls, load };
}

describe("JwksCache", () => {
  it("fetches once and reuses the keys while they are fresh, then fetches again after the TTL", async () => {
    const { calls, load } = loader(["a"], ["a", "b"]);
    const cache = new JwksCache({ load, ttlSeconds: 600 });
    expect([...(await cache.keysFor(URL_A, "a", 1000)).keys()]).toEqual(["a"]);
    await cache.keysFor(URL_A, "a", 1599);
    expect(calls).toHaveLength(1);
    expect([...(await cache.keysFor(URL_A, "a", 1600)).keys()]).toEqual(["a", "b"]);
    expect(calls).toHaveLength(2);
  });

  it("refetches at once for an unknown kid, so a rotated key is accepted on the next login", async () => {
    const { calls, load } = loader(["old"], ["new", "old"]);
    const cache = new JwksCache({ load });
    await cache.keysFor(URL_A, "old", 1000);
    const keys = await cache.keysFor(URL_A, "new", 1001);
    expect(keys.has("new")).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it("spaces out refetches caused by unknown kids", async () => {
    const { calls, load } = loader(["a"]);
    const cache = new JwksCache({ load, refetchIntervalSeconds: 30 });
    await cache.keysFor(URL_A, "a", 1000);
    await cache.keysFor(URL_A, "bogus-1", 1001);
    expect(calls).toHaveLength(2);
    await cache.keysFor(URL_A, "bogus-2", 1020);
    expect(calls).toHaveLength(2);
    await cache.keysFor(URL_A, "bogus-3", 1031);
    expect(calls).toHaveLength(3);
  });

  it("shares one fetch between concurrent callers and retries after a failed fetch", async () => {
    let attempts = 0;
    const cache = new JwksCache({
      load: async () => {
        attempts += 1;
        if (attempts === 1) throw new JwksFetchError("HTTP 503");
        return new Map([["a", key("a")]]);
      },
    });
    await expect(cache.keysFor(URL_A, "a", 1000)).rejects.toBeInstanceOf(JwksFetchError);
    const [first, second] = await Promise.all([cache.keysFor(URL_A, "a", 1001), cache.keysFor(URL_A, "a", 1001)]);
    expect(first.has("a") && second.has("a")).toBe(true);
    expect(attempts).toBe(2);
  });
});

describe("fetchJwks", () => {
  it("reads the development IdP's RS256 keys by kid", async () => {
    const keys = await fetchJwks(harness().idp.jwksUrl);
    expect(keys.size).toBeGreaterThan(0);
    for (const [kid, jwk] of keys) {
      expect(jwk).toMatchObject({ kty: "RSA", kid });
      expect(jwk).not.toHaveProperty("d");
    }
  });

  it("fails with a JwksFetchError naming the HTTP status for a missing document", async () => {
    await expect(fetchJwks(`${harness().harnessUrl}/no-such-jwks`)).rejects.toMatchObject({ reason: "HTTP 404" });
  });
});
