/**
 * The service token comparison (the proof that a request came through the Worker) against values
 * built to slip past a careless one: a prefix of the token, the token with more after it, the token cut short, lookalikes that
 * a byte-truncating encoding would fold onto the token, NUL padding, and both tokens of a rotation.
 */
import { describe, expect, it } from "vitest";
import { createTokenVerifier } from "../src/middleware/service-token";

const TOKEN = "t0k3n-".padEnd(64, "a");
const NEXT = "n3xt-".padEnd(48, "b");

describe("the service token comparison", () => {
  const verify = createTokenVerifier([TOKEN]);

  it("accepts the token and nothing else", () => {
    expect(verify(TOKEN)).toBe("ok");
    expect(verify(undefined)).toBe("missing");
    expect(verify("")).toBe("missing");
  });

  it.each([
    ["a prefix of the token", TOKEN.slice(0, 32)],
    ["the token cut by one character", TOKEN.slice(0, -1)],
    ["the token with one more character", `${TOKEN}a`],
    ["the token followed by a space", `${TOKEN} `],
    ["the token padded to the comparison width", TOKEN.padEnd(256, "a")],
    ["the token padded with NUL", `${TOKEN}\u0000\u0000`],
    ["the token with its last character replaced", `${TOKEN.slice(0, -1)}b`],
    [
      "a lookalike whose characters match the token's bytes when cut to 8 bits",
      [...TOKEN].map((c) => String.fromCharCode(c.charCodeAt(0) + 0x100)).join(""),
    ],
    ["a lookalike with one character cut to 8 bits", `${TOKEN.slice(0, -1)}\u0161`],
    ["a value far longer than the comparison width", TOKEN.repeat(20)],
    ["the token in upper case", TOKEN.toUpperCase()],
  ])("refuses %s", (_name, value) => {
    expect(verify(value)).toBe("invalid");
  });

  it("accepts either token during a rotation, and only those", () => {
    const rotating = createTokenVerifier([TOKEN, NEXT]);
    expect(rotating(TOKEN)).toBe("ok");
    expect(rotating(NEXT)).toBe("ok");
    expect(rotating(NEXT.slice(0, -1))).toBe("invalid");
    expect(rotating(`${NEXT}${TOKEN}`)).toBe("invalid");
    expect(rotating(TOKEN.slice(0, NEXT.length))).toBe("invalid");
  });

  it("keeps a token longer than one comparison step whole", () => {
    const long = "L".repeat(300);
    const check = createTokenVerifier([long]);
    expect(check(long)).toBe("ok");
    expect(check(long.slice(0, 256))).toBe("invalid");
    expect(check(`${long}L`)).toBe("invalid");
  });

  it("needs at least one token", () => {
    expect(() => createTokenVerifier([])).toThrow("at least one service token");
  });
});
