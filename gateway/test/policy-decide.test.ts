/**
 * Policy decisions and name matching, attack cases first: case and Unicode look-alikes, stars in
 * names, traversal out of an allowed URI prefix, rules limited to one OAuth client, deny winning
 * over allow, and the default for everyone no allow rule names.
 */
import { describe, expect, it } from "vitest";
import { decide, subjectOf } from "../src/policy/decide";
import type { Caller } from "../src/policy/decide";
import { compileGlob, foldName, foldUri, globMatches, isPlainUri } from "../src/policy/glob";
import type { Policy, TargetKind } from "../src/policy/model";
import { parsePolicy } from "../src/policy/parse";
import { isReadOnly } from "../src/policy/runtime";

function policyOf(text: string): Policy {
  const result = parsePolicy(text, "test.yaml");
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.policy;
}

function glob(pattern: string, fold?: (s: string) => string) {
  const compiled = compileGlob(pattern, fold);
  if (!compiled.ok) throw new Error(compiled.reason);
  return compiled.glob;
}

const user = (email: string, clientId: string | null = null): Caller => ({ email, clientId });

describe("glob patterns", () => {
  it("matches stars anywhere, including none, slashes and stars themselves", () => {
    expect(globMatches(glob("*"), "")).toBe(true);
    expect(globMatches(glob("get-*"), "get-")).toBe(true);
    expect(globMatches(glob("get-*"), "forget-it")).toBe(false);
    expect(globMatches(glob("*-file"), "delete-file")).toBe(true);
    expect(globMatches(glob("a*b*c"), "abc")).toBe(true);
    expect(globMatches(glob("a*b*c"), "a-c-b")).toBe(false);
    expect(globMatches(glob("a*aa"), "aaa")).toBe(true);
    expect(globMatches(glob("a*aa"), "aa")).toBe(false);
    expect(globMatches(glob("file:///srv/*"), "file:///srv/a/b/c")).toBe(true);
    expect(globMatches(glob("get-*"), "get-*")).toBe(true);
  });

  it("makes an escaped star literal", () => {
    expect(globMatches(glob("get-\\*"), "get-*")).toBe(true);
    expect(globMatches(glob("get-\\*"), "get-sum")).toBe(false);
    expect(globMatches(glob("a\\\\b"), "a\\b")).toBe(true);
    expect(compileGlob("oops\\")).toEqual({ ok: false, reason: expect.stringContaining("ends with a lone \\") });
    expect(compileGlob("")).toEqual({ ok: false, reason: "a pattern must not be empty" });
  });

  it("answers long adversarial input (a backtracking regex would not finish)", () => {
    expect(globMatches(glob("*a*a*a*a*a*a*a*a*b"), "a".repeat(200_000))).toBe(false);
    expect(globMatches(glob("*a*a*a*a*a*a*a*a*b"), `${"a".repeat(200_000)}b`)).toBe(true);
  });

  it("folds names for deny: case, compatibility forms, invisible characters", () => {
    expect(foldName("Delete_File")).toBe("delete_file");
    expect(foldName("ＤＥＬＥＴＥ")).toBe("delete");
    expect(foldName("de\u200blete")).toBe("delete");
    expect(foldName("ﬁle")).toBe("file");
    // A Cyrillic "е" is another letter: folding leaves it, and the exact allow refuses it.
    expect(foldName("d\u0435lete")).not.toBe("delete");
  });

  it("folds URIs for deny: percent-encoding (twice over), backslashes, dot segments", () => {
    expect(foldUri("file:///srv/public/../secret/key")).toBe("file:///srv/secret/key");
    expect(foldUri("file:///srv/public/%2e%2e/secret")).toBe("file:///srv/secret");
    expect(foldUri("file:///srv/public/%252e%252e/secret")).toBe("file:///srv/secret");
    expect(foldUri("file:///srv\\public\\..\\Secret")).toBe("file:///srv/secret");
    expect(foldUri("demo://Host/a/./b?x=../y")).toBe("demo://host/a/b?x=../y");
    expect(foldUri("file:///%E0%A4%A")).toBe("file:///%e0%a4%a");
  });

  it("calls a URI plain only without traversal or encoded path characters", () => {
    expect(isPlainUri("demo://resource/static/document/a.md")).toBe(true);
    expect(isPlainUri("file:///srv/..hidden")).toBe(true);
    for (const uri of ["file:///a/../b", "file:///a/./b", "file:///a/..", "file:///a/%2E%2e/b", "file:///a%2fb", "file:///a\\b", "../x"])
      expect(isPlainUri(uri)).toBe(false);
  });
});

describe("decisions", () => {
  const policy = policyOf(`
default: allow
groups:
  family: [partner@example.com, "*@kids.example"]
rules:
  - name: family-read
    users: [family]
    allow:
      tools: ["search*", "read_*"]
      resources: ["file:///srv/shared/*"]
  - name: nobody-deletes
    users: ["*"]
    deny:
      tools: ["delete*"]
      resources: ["file:///srv/shared/private/*"]
  - name: phone
    users: [me@example.com]
    clients: [phone-app]
    allow: read-only
`);
  const check = (caller: Caller, kind: TargetKind, name: string, readOnly?: boolean) =>
    decide(policy, subjectOf(policy, caller), { kind, name }, readOnly);

  it("lets deny win over allow, for every user, in any case or width", () => {
    expect(check(user("partner@example.com"), "tool", "search_web")).toEqual({ allowed: true, rule: "family-read" });
    for (const name of ["delete_all", "DELETE_ALL", "Ｄelete_all", "del\u00adete_all"]) {
      expect(check(user("me@example.com"), "tool", name)).toMatchObject({ allowed: false, rule: "nobody-deletes" });
    }
  });

  it("gives users with allow rules only what those allow; others get the default", () => {
    expect(check(user("Kid@Kids.Example"), "tool", "read_file")).toMatchObject({ allowed: true });
    expect(check(user("kid@kids.example"), "tool", "write_file")).toMatchObject({
      allowed: false,
      rule: "family-read",
      reason: expect.stringContaining('no rule that applies to you allows tool "write_file"'),
    });
    expect(check(user("kid@kids.example"), "prompt", "anything")).toMatchObject({ allowed: false });
    expect(check(user("stranger@example.org"), "tool", "write_file")).toEqual({ allowed: true, rule: "default" });
  });

  it("keeps resource allows inside their prefix", () => {
    expect(check(user("partner@example.com"), "resource", "file:///srv/shared/photos/1.jpg")).toMatchObject({ allowed: true });
    expect(check(user("partner@example.com"), "resource", "file:///srv/shared/../etc/passwd")).toMatchObject({
      allowed: false,
      rule: "family-read",
    });
    expect(check(user("partner@example.com"), "resource", "file:///srv/shared/%2e%2e/etc/passwd")).toMatchObject({ allowed: false });
    // The deny sees through encodings and dot segments even where the default allows.
    expect(check(user("stranger@example.org"), "resource", "file:///srv/shared/x/../private/key")).toMatchObject({
      allowed: false,
      rule: "nobody-deletes",
    });
    expect(check(user("stranger@example.org"), "resource", "file:///srv/shared/%70rivate/key")).toMatchObject({
      allowed: false,
      rule: "nobody-deletes",
    });
  });

  it("applies a client-limited rule only to that OAuth client", () => {
    expect(check(user("me@example.com", "laptop-app"), "tool", "write_file")).toEqual({ allowed: true, rule: "default" });
    expect(check(user("me@example.com", "phone-app"), "tool", "write_file", false)).toMatchObject({ allowed: false, rule: "phone" });
    expect(check(user("me@example.com", "phone-app"), "tool", "write_file", true)).toEqual({ allowed: true, rule: "phone" });
    expect(check(user("me@example.com", "phone-app"), "resource", "file:///anything")).toEqual({ allowed: true, rule: "phone" });
  });

  it("fails closed on unknown annotations, and trusts only an explicit readOnlyHint: true", () => {
    expect(check(user("me@example.com", "phone-app"), "tool", "search", undefined)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("has not yet seen"),
    });
    expect(isReadOnly({ name: "t" })).toBe(false);
    expect(isReadOnly({ name: "t", annotations: {} })).toBe(false);
    expect(isReadOnly({ name: "t", annotations: { readOnlyHint: "true" } })).toBe(false);
    expect(isReadOnly({ name: "t", annotations: { readOnlyHint: true } })).toBe(true);
  });

  it("treats a read-only default like a read-only rule, and a deny default as a refusal naming the default", () => {
    const readOnly = policyOf("default: read-only\n");
    const subject = subjectOf(readOnly, user("a@example.com"));
    expect(decide(readOnly, subject, { kind: "tool", name: "t" }, false)).toMatchObject({ allowed: false, rule: "default" });
    expect(decide(readOnly, subject, { kind: "tool", name: "t" }, true)).toMatchObject({ allowed: true });
    const deny = policyOf("default: deny\n");
    expect(decide(deny, subjectOf(deny, user("a@example.com")), { kind: "prompt", name: "p" }, undefined)).toMatchObject({
      allowed: false,
      rule: "default",
    });
  });

  it("marks callers nothing can be refused to as unrestricted, so their requests skip the checks", () => {
    expect(subjectOf(policyOf("default: allow\n"), user("a@example.com")).unrestricted).toBe(true);
    expect(subjectOf(policy, user("a@example.com")).unrestricted).toBe(false);
    expect(subjectOf(policyOf("rules:\n  - { users: a@example.com, allow: all }\n"), user("a@example.com")).unrestricted).toBe(true);
  });
});
