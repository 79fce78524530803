import { describe, expect, it } from "vitest";
import { isEmailAllowed, isValidEmail, parseEmailAllowlist } from "../src/email-allowlist";

describe("isValidEmail", () => {
  it("accepts ordinary addresses", () => {
    expect(isValidEmail("ada@example.com")).toBe(true);
    expect(isValidEmail("first.last+tag@sub.example.co.uk")).toBe(true);
  });

  it("rejects header-injection and malformed shapes", () => {
    for (const bad of [
      "",
      "ada",
      "ada@",
      "@example.com",
      "ada@example",
      "ada@@example.com",
      "ada@example.com, eve@evil.example",
      "Ada <ada@example.com>",
      "ada@example.com\r\nX-MCPbox-Service-Token: x",
      "a da@example.com",
      "ada@-example.com",
      '"ada"@example.com',
    ]) {
      expect(isValidEmail(bad), bad).toBe(false);
    }
  });

  it("enforces the 254-character limit", () => {
    const domain = "@example.com";
    const ok = "a".repeat(254 - domain.length) + domain;
    expect(ok.length).toBe(254);
    expect(isValidEmail(ok)).toBe(true);
    expect(isValidEmail("a" + ok)).toBe(false);
  });
});

describe("parseEmailAllowlist / isEmailAllowed", () => {
  it("allows anyone when empty", () => {
    const list = parseEmailAllowlist("");
    expect(list.allowsAnyone).toBe(true);
    expect(isEmailAllowed(list, "anyone@anywhere.example")).toBe(true);
    expect(parseEmailAllowlist(undefined).allowsAnyone).toBe(true);
  });

  it("matches exact addresses case-insensitively", () => {
    const list = parseEmailAllowlist(" Ada@Example.com , bob@example.org ");
    expect(isEmailAllowed(list, "ada@example.com")).toBe(true);
    expect(isEmailAllowed(list, "BOB@EXAMPLE.ORG")).toBe(true);
    expect(isEmailAllowed(list, "eve@example.com")).toBe(false);
  });

  it("matches *@domain entries only on the exact domain", () => {
    const list = parseEmailAllowlist("*@example.com");
    expect(isEmailAllowed(list, "anyone@example.com")).toBe(true);
    expect(isEmailAllowed(list, "eve@evil-example.com")).toBe(false);
    expect(isEmailAllowed(list, "eve@sub.example.com")).toBe(false);
    expect(isEmailAllowed(list, "eve@example.com.evil.example")).toBe(false);
  });

  it("names the bad entry", () => {
    expect(() => parseEmailAllowlist("ada@example.com,not-an-email")).toThrow(/not-an-email/);
    expect(() => parseEmailAllowlist("*@")).toThrow(/\*@/);
    expect(() => parseEmailAllowlist("*@*.example.com")).toThrow(/expected \*@example.com/);
  });
});
