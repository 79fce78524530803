/**
 * Access's refresh token sealed inside grant props: it opens with the Worker's key for the same
 * subject only; another subject, another COOKIE_ENCRYPTION_KEY or a changed byte give nothing.
 */
import { describe, expect, it } from "vitest";
import { openSealedSecret, sealSecret } from "../src/oauth/sealed-secret";

const key = crypto.getRandomValues(new Uint8Array(32));
const otherKey = crypto.getRandomValues(new Uint8Array(32));

describe("sealSecret / openSealedSecret", () => {
  it("round-trips, and never shows the secret in the sealed text; two seals differ", async () => {
    const sealed = await sealSecret(key, "sub-1", "access-refresh-token-value");
    expect(sealed).not.toContain("access-refresh-token-value");
    expect(await sealSecret(key, "sub-1", "access-refresh-token-value")).not.toBe(sealed);
    expect(await openSealedSecret(key, "sub-1", sealed)).toBe("access-refresh-token-value");
  });

  it("opens for nothing else: another subject, another key, a flipped character, junk", async () => {
    const sealed = await sealSecret(key, "sub-1", "secret");
    expect(await openSealedSecret(key, "sub-2", sealed)).toBeUndefined();
    expect(await openSealedSecret(otherKey, "sub-1", sealed)).toBeUndefined();
    // The first character of the ciphertext carries six whole bits (a last one may carry padding).
    const at = sealed.lastIndexOf(".") + 1;
    const flipped = sealed.slice(0, at) + (sealed[at] === "A" ? "B" : "A") + sealed.slice(at + 1);
    expect(await openSealedSecret(key, "sub-1", flipped)).toBeUndefined();
    for (const junk of ["", "v1.", "v1.a.b", "v2.x.y", "v1.!!!.???", `${sealed}.extra`]) {
      expect(await openSealedSecret(key, "sub-1", junk)).toBeUndefined();
    }
  });
});
