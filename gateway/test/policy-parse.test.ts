/**
 * The policy file's schema: a valid file compiles; every mistake is reported with file, line and
 * column, all of them at once, and the message says what to write instead. YAML and JSON alike.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../src/policy/parse";

/** The YAML examples of a README that are policies. */
function readmePolicies(relative: string): string[] {
  const text = readFileSync(new URL(relative, import.meta.url), "utf8");
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((yaml) => yaml.includes("rules:"));
}

function problems(text: string, file = "policy.yaml"): readonly string[] {
  const result = parsePolicy(text, file);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("policy file", () => {
  it("accepts the examples of both READMEs", () => {
    const examples = [...readmePolicies("../README.md"), ...readmePolicies("../../README.md")];
    expect(examples).toHaveLength(2);
    for (const example of examples) {
      const result = parsePolicy(example, "README");
      expect(result.ok ? [] : result.problems).toEqual([]);
    }
  });

  it("compiles the README's example", () => {
    const result = parsePolicy(
      `
default: allow
rate_limit: { requests_per_minute: 120, burst: 20 }
groups:
  family: [partner@example.com, "*@kids.example"]
rules:
  - name: partner-may-search
    users: [partner@example.com]
    allow:
      tools: ["search*", "get_*"]
  - name: no-deleting
    users: [family]
    deny:
      tools: ["delete*", "remove*"]
  - name: phone-read-only
    users: [me@example.com]
    clients: [phone-client-id]
    allow: read-only
`,
      "p.yaml",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { policy } = result;
    expect(policy.defaultAccess).toBe("allow");
    expect(policy.rateLimit).toEqual({ requestsPerMinute: 120, burst: 20 });
    expect(policy.usesReadOnly).toBe(true);
    expect(policy.rules.map((r) => [r.name, r.line])).toEqual([
      ["partner-may-search", 7],
      ["no-deleting", 11],
      ["phone-read-only", 15],
    ]);
    expect([...(policy.rules[1]?.users.emails ?? [])]).toEqual(["partner@example.com"]);
    expect([...(policy.rules[1]?.users.domains ?? [])]).toEqual(["kids.example"]);
    expect(policy.rules[2]?.clients).toEqual(new Set(["phone-client-id"]));
  });

  it("reads JSON, with positions in the JSON text", () => {
    const ok = parsePolicy('{"default": "deny", "rules": [{"users": ["*"], "allow": {"tools": ["echo"]}}]}', "p.json");
    expect(ok.ok && ok.policy.rules[0]?.name).toBe("rule 1");
    expect(problems('{\n  "default": "deny",\n  "rules": [\n    {"users": ["*"], "allow": {"tool": ["echo"]}}\n  ]\n}', "p.json")).toEqual([
      'p.json:4:32: rules[0].allow: unknown key "tool" (expected one of: tools, prompts, resources)',
    ]);
  });

  it("reports every mistake with its line and column", () => {
    const text = [
      "default: maybe", // 1
      "rate_limit: { requests_per_minute: 0 }", // 2
      "groups:", // 3
      "  family: [not-an-email]", // 4
      "rules:", // 5
      "  - name: a", // 6
      "    users: [friends]", // 7
      "    allow: { tools: echo }", // 8
      "  - name: a", // 9
      "    users: [x@example.com]", // 10
      "    deny: read-only", // 11
      "  - users: [x@example.com]", // 12
      "    alow: all", // 13
      "  - users: [y@example.com]", // 14
      '    allow: { prompts: read-only, resources: ["demo://a\\\\"] }', // 15
    ].join("\n");
    expect(problems(text)).toEqual([
      'policy.yaml:1:10: default: "maybe" is not one of allow, deny, read-only',
      "policy.yaml:2:36: rate_limit.requests_per_minute: expected a whole number from 1 to 1000000",
      'policy.yaml:4:12: groups.family[0]: "not-an-email" is not an address or *@domain entry (groups cannot contain groups)',
      'policy.yaml:7:13: rules[0].users[0]: no group is named "friends" (groups: family)',
      'policy.yaml:8:21: rules[0].allow.tools: expected a list of patterns, e.g. ["echo"], or "read-only"',
      'policy.yaml:11:11: rules[1].deny: expected "all" or a map with tools, prompts and/or resources',
      'policy.yaml:13:5: rules[2]: unknown key "alow" (expected one of: name, users, clients, allow, deny, rate_limit)',
      "policy.yaml:12:5: rules[2]: the rule does nothing: give it allow, deny or rate_limit",
      'policy.yaml:15:23: rules[3].allow.prompts: "read-only" is only for tools in an allow section',
      'policy.yaml:15:46: rules[3].allow.resources[0]: "demo://a\\" ends with a lone \\ (write \\\\ for a backslash, \\* for a star)',
    ]);
  });

  it("explains that a pattern or address starting with * must be quoted", () => {
    expect(problems("rules:\n  - users: [*@example.com]\n    allow: all\n")[0]).toMatch(
      /^policy\.yaml:2:13: rules\[0\]\.users\[0\]: expected addresses.*quote patterns and addresses that start with \*/,
    );
    expect(problems("rules:\n  - users: [x@example.com]\n    allow: { tools: [*] }\n")[0]).toMatch(
      /^policy\.yaml:3:22: Alias cannot be an empty string; quote patterns and addresses that start with \*/,
    );
  });

  it("refuses YAML syntax errors, duplicate keys and duplicate rule names", () => {
    expect(problems("rules:\n  - users: [a@example.com]\n    allow: all\n    allow: all\n")).toEqual([
      expect.stringMatching(/^policy\.yaml:4:5: Map keys must be unique/),
    ]);
    expect(problems("rules: [\n")[0]).toMatch(/^policy\.yaml:\d+:\d+: /);
    expect(
      problems("rules:\n  - { name: x, users: a@example.com, allow: all }\n  - { name: x, users: b@example.com, allow: all }\n"),
    ).toEqual(['policy.yaml:3:5: rules[1].name: another rule is already named "x"']);
  });

  it("refuses a file that is not a map, and an unknown version", () => {
    expect(problems("- a\n- b\n")).toEqual(["policy.yaml:1:1: policy: expected a map with rules (see the gateway README for an example)"]);
    expect(problems("version: 2\n")).toEqual(["policy.yaml:1:10: version: the only policy version is 1"]);
  });
});
