/**
 * The grant metadata the Worker writes and the provisioner reads back from KV: only a valid email
 * survives the round trip; anything else in the store (older `{}` grants, tampered values) is no email.
 */
import { describe, expect, it } from "vitest";
import { grantMetadataFor, parseGrantMetadata } from "../src/grant-metadata";

describe("grant metadata", () => {
  it("round-trips a verified email, and nothing when there is none", () => {
    expect(parseGrantMetadata(JSON.parse(JSON.stringify(grantMetadataFor("alice@example.com"))))).toEqual({ email: "alice@example.com" });
    expect(grantMetadataFor(undefined)).toEqual({});
    expect(parseGrantMetadata({})).toEqual({});
  });

  it.each([
    null,
    "alice@example.com",
    ["alice@example.com"],
    { email: 42 },
    { email: "not an email" },
    { email: "a@b.co\u001b[2J" },
    { email: `${"a".repeat(250)}@b.co` },
  ])("reads %j as no email", (value) => {
    expect(parseGrantMetadata(value)).toEqual({});
  });
});
