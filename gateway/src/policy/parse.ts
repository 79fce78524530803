/**
 * Reads a policy file's text (YAML 1.2, so JSON too) and checks it against the policy schema,
 * walking the parsed YAML nodes so every problem is reported with its line and column. Returns
 * the compiled Policy or every problem found; never a half-valid policy.
 */
import { isValidEmail } from "@mcpbox/shared";
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Node, YAMLMap } from "yaml";
import { compileGlob, foldName, foldUri } from "./glob";
import type { Glob } from "./glob";
import { DEFAULT_RULE_NAME, POLICY_RATE_LIMIT_NAME } from "./model";
import type { Access, Audience, DefaultAccess, Policy, RateLimit, Rule, Selector, TargetKind } from "./model";

export type PolicyParseResult = { ok: true; policy: Policy } | { ok: false; problems: readonly string[] };

const TOP_KEYS = ["version", "default", "rate_limit", "groups", "rules"] as const;
const RULE_KEYS = ["name", "users", "clients", "allow", "deny", "rate_limit"] as const;
const ACCESS_KEYS = { tools: "tool", prompts: "prompt", resources: "resource" } as const satisfies Record<string, TargetKind>;
const LIMIT_KEYS = ["requests_per_minute", "burst"] as const;
const DEFAULTS: readonly DefaultAccess[] = ["allow", "deny", "read-only"];
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_PATTERN_LENGTH = 2048;
const MAX_CLIENT_ID_LENGTH = 200;
const MAX_REQUESTS_PER_MINUTE = 1_000_000;
const ALIAS_HINT = 'quote patterns and addresses that start with * (YAML reads *name as an alias): "*@example.com", "*"';

/** Walks the YAML nodes of one file, collecting positioned problems. */
class Checker {
  readonly problems: string[] = [];
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  at(node: Node | null | undefined): string {
    const offset = node?.range?.[0];
    if (offset === undefined) return this.file;
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }

  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 0 : this.lines.linePos(offset).line;
  }

  fail(node: Node | null | undefined, path: string, message: string): undefined {
    this.problems.push(`${this.at(node)}: ${path}: ${message}`);
    return undefined;
  }

  /** The map's entries by key; unknown and non-string keys are reported. */
  entries(map: YAMLMap, path: string, allowed: readonly string[]): Map<string, Node | null> {
    const out = new Map<string, Node | null>();
    for (const pair of map.items) {
      const key = pair.key as Node | null;
      if (!isScalar(key) || typeof key.value !== "string") {
        this.fail(key, path, "keys must be plain names");
        continue;
      }
      if (!allowed.includes(key.value)) {
        this.fail(key, path, `unknown key "${key.value}" (expected one of: ${allowed.join(", ")})`);
        continue;
      }
      out.set(key.value, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  map(node: Node | null | undefined, path: string, what: string): YAMLMap | undefined {
    if (isMap(node)) return node;
    return this.fail(node, path, `expected ${what}${isAlias(node) ? `; ${ALIAS_HINT}` : ""}`);
  }

  string(node: Node | null | undefined, path: string, what = "a string"): string | undefined {
    if (isScalar(node) && typeof node.value === "string") return node.value;
    return this.fail(node, path, `expected ${what}${isAlias(node) ? `; ${ALIAS_HINT}` : ""}`);
  }

  /** A list of strings; a single string is taken as a list of one. */
  strings(node: Node | null | undefined, path: string, what: string): { value: string; node: Node }[] | undefined {
    if (isScalar(node) && typeof node.value === "string") return [{ value: node.value, node }];
    if (!isSeq(node)) return this.fail(node, path, `expected a list of ${what}${isAlias(node) ? `; ${ALIAS_HINT}` : ""}`);
    const out: { value: string; node: Node }[] = [];
    node.items.forEach((item, index) => {
      const value = this.string(item as Node, `${path}[${index}]`, what);
      if (value !== undefined) out.push({ value, node: item as Node });
    });
    return out;
  }

  integer(node: Node | null | undefined, path: string, min: number, max: number): number | undefined {
    if (isScalar(node) && typeof node.value === "number" && Number.isInteger(node.value) && node.value >= min && node.value <= max)
      return node.value;
    return this.fail(node, path, `expected a whole number from ${min} to ${max}`);
  }
}

/** Parses and validates policy text. `file` names the source in problems. Pure. */
export function parsePolicy(text: string, file: string): PolicyParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const check = new Checker(file, lines);
  for (const error of doc.errors) {
    const pos = lines.linePos(error.pos[0]);
    const hint = error.code === "BAD_ALIAS" ? `; ${ALIAS_HINT}` : "";
    check.problems.push(`${file}:${pos.line}:${pos.col}: ${error.message.split("\n")[0]}${hint}`);
  }
  if (check.problems.length > 0) return { ok: false, problems: check.problems };
  const root = check.map(doc.contents as Node | null, "policy", "a map with rules (see the gateway README for an example)");
  if (!root) return { ok: false, problems: check.problems };
  const top = check.entries(root, "policy", TOP_KEYS);

  const version = top.get("version");
  if (version !== undefined && !(isScalar(version) && version.value === 1)) check.fail(version, "version", "the only policy version is 1");

  let defaultAccess: DefaultAccess = "allow";
  if (top.has("default")) {
    const value = check.string(top.get("default"), "default", `one of ${DEFAULTS.join(", ")}`);
    if (value !== undefined && (DEFAULTS as readonly string[]).includes(value)) defaultAccess = value as DefaultAccess;
    else if (value !== undefined) check.fail(top.get("default"), "default", `"${value}" is not one of ${DEFAULTS.join(", ")}`);
  }
  const rateLimit = top.has("rate_limit") ? rateLimitOf(check, top.get("rate_limit"), "rate_limit", false) : null;
  const groups = groupsOf(check, top.get("groups"));
  const rules: Rule[] = [];
  const rulesNode = top.get("rules");
  if (rulesNode !== undefined && rulesNode !== null) {
    if (!isSeq(rulesNode)) check.fail(rulesNode, "rules", "expected a list of rules");
    else {
      const names = new Set<string>();
      rulesNode.items.forEach((item, index) => {
        const rule = ruleOf(check, item as Node, index, groups);
        if (!rule) return;
        if (names.has(rule.name))
          check.fail((item as Node) ?? null, `rules[${index}].name`, `another rule is already named "${rule.name}"`);
        names.add(rule.name);
        rules.push(rule);
      });
    }
  }

  if (check.problems.length > 0) return { ok: false, problems: check.problems };
  const usesReadOnly = defaultAccess === "read-only" || rules.some((r) => r.allow?.tools?.kind === "read-only");
  return { ok: true, policy: { rules, defaultAccess, rateLimit: rateLimit === "off" ? null : (rateLimit ?? null), usesReadOnly } };
}

function groupsOf(check: Checker, node: Node | null | undefined): Map<string, Audience> {
  const groups = new Map<string, Audience>();
  if (node === undefined || node === null) return groups;
  const map = check.map(node, "groups", "a map of group names to lists of addresses");
  if (!map) return groups;
  for (const pair of map.items) {
    const key = pair.key as Node | null;
    const name = check.string(key, "groups", "a group name");
    if (name === undefined) continue;
    if (!GROUP_NAME.test(name) || name === "*") {
      check.fail(key, `groups.${name}`, "a group name is letters, digits, _ . - (no @, at most 64 characters)");
      continue;
    }
    if (groups.has(name)) continue;
    const members = audienceOf(check, pair.value as Node | null, `groups.${name}`, new Map(), false);
    if (members) groups.set(name, members);
  }
  return groups;
}

function audienceOf(
  check: Checker,
  node: Node | null | undefined,
  path: string,
  groups: Map<string, Audience>,
  groupsAllowed: boolean,
): Audience | undefined {
  const entries = check.strings(
    node,
    path,
    groupsAllowed ? 'addresses, *@domain entries, group names or "*"' : "addresses or *@domain entries",
  );
  if (!entries) return undefined;
  if (entries.length === 0) return check.fail(node, path, 'names nobody: give at least one address, *@domain, group or "*"');
  let everyone = false;
  const emails = new Set<string>();
  const domains = new Set<string>();
  entries.forEach(({ value, node: item }, index) => {
    const entry = value.trim().toLowerCase();
    const where = `${path}[${index}]`;
    if (entry === "*" && groupsAllowed) everyone = true;
    else if (entry.startsWith("*@")) {
      if (isValidEmail(`x@${entry.slice(2)}`)) domains.add(entry.slice(2));
      else check.fail(item, where, `"${value}" is not a valid *@domain entry`);
    } else if (entry.includes("@")) {
      if (isValidEmail(entry)) emails.add(entry);
      else check.fail(item, where, `"${value}" is not a valid email address`);
    } else if (!groupsAllowed) check.fail(item, where, `"${value}" is not an address or *@domain entry (groups cannot contain groups)`);
    else {
      const group = groups.get(value.trim());
      if (!group) {
        check.fail(
          item,
          where,
          `no group is named "${value}"${groups.size > 0 ? ` (groups: ${[...groups.keys()].join(", ")})` : " (define it under groups:)"}`,
        );
        return;
      }
      for (const e of group.emails) emails.add(e);
      for (const d of group.domains) domains.add(d);
    }
  });
  return { everyone, emails, domains };
}

function ruleOf(check: Checker, node: Node | null, index: number, groups: Map<string, Audience>): Rule | undefined {
  const path = `rules[${index}]`;
  const map = check.map(node, path, "a rule: a map with users and allow, deny or rate_limit");
  if (!map) return undefined;
  const keys = check.entries(map, path, RULE_KEYS);
  const before = check.problems.length;
  let name = `rule ${index + 1}`;
  if (keys.has("name")) {
    const value = check.string(keys.get("name"), `${path}.name`);
    const trimmed = value?.trim();
    if (trimmed && trimmed.length <= 100 && !trimmed.includes(",") && trimmed !== DEFAULT_RULE_NAME && trimmed !== POLICY_RATE_LIMIT_NAME)
      name = trimmed;
    else if (value !== undefined)
      check.fail(
        keys.get("name"),
        `${path}.name`,
        `a rule name is 1 to 100 characters without commas, and not "${DEFAULT_RULE_NAME}" or "${POLICY_RATE_LIMIT_NAME}"`,
      );
  }
  const users = keys.has("users")
    ? audienceOf(check, keys.get("users"), `${path}.users`, groups, true)
    : check.fail(map, path, 'users: is missing (addresses, *@domain, group names or "*")');
  let clients: Set<string> | null = null;
  if (keys.has("clients")) {
    const list = check.strings(keys.get("clients"), `${path}.clients`, "OAuth client ids (see clientId in the audit log)");
    if (list && list.length === 0)
      check.fail(keys.get("clients"), `${path}.clients`, "an empty list would match no client; leave clients out to match every client");
    for (const { value, node: item } of list ?? []) {
      if (value.length === 0 || value.length > MAX_CLIENT_ID_LENGTH)
        check.fail(item, `${path}.clients`, `a client id is 1 to ${MAX_CLIENT_ID_LENGTH} characters`);
    }
    clients = new Set(list?.map((c) => c.value));
  }
  const allow = keys.has("allow") ? accessOf(check, keys.get("allow"), `${path}.allow`, "allow") : null;
  const deny = keys.has("deny") ? accessOf(check, keys.get("deny"), `${path}.deny`, "deny") : null;
  const rateLimit = keys.has("rate_limit") ? rateLimitOf(check, keys.get("rate_limit"), `${path}.rate_limit`, true) : null;
  if (!keys.has("allow") && !keys.has("deny") && !keys.has("rate_limit"))
    check.fail(map, path, "the rule does nothing: give it allow, deny or rate_limit");
  if (check.problems.length > before || !users || allow === undefined || deny === undefined || rateLimit === undefined) return undefined;
  return { name, line: check.line(map), users, clients, allow, deny, rateLimit };
}

const ANY: Glob = { source: "*", pieces: ["", ""] };

function everything(readOnlyTools: boolean): Access {
  const all: Selector = { kind: "patterns", patterns: [ANY] };
  return { tools: readOnlyTools ? { kind: "read-only" } : all, prompts: all, resources: all };
}

function accessOf(check: Checker, node: Node | null | undefined, path: string, section: "allow" | "deny"): Access | undefined {
  if (isScalar(node) && typeof node.value === "string") {
    if (node.value === "all") return everything(false);
    if (node.value === "read-only" && section === "allow") return everything(true);
    return check.fail(
      node,
      path,
      `expected "all"${section === "allow" ? ', "read-only"' : ""} or a map with tools, prompts and/or resources`,
    );
  }
  const map = check.map(node, path, "a map with tools, prompts and/or resources");
  if (!map) return undefined;
  const keys = check.entries(map, path, Object.keys(ACCESS_KEYS));
  const access: { -readonly [K in keyof Access]: Selector } = {};
  for (const [key, value] of keys) {
    const kind = ACCESS_KEYS[key as keyof typeof ACCESS_KEYS];
    const selector = selectorOf(check, value, `${path}.${key}`, kind, section);
    if (selector) access[key as keyof Access] = selector;
  }
  return access;
}

function selectorOf(
  check: Checker,
  node: Node | null | undefined,
  path: string,
  kind: TargetKind,
  section: "allow" | "deny",
): Selector | undefined {
  const readOnlyOk = kind === "tool" && section === "allow";
  if (isScalar(node) && node.value === "read-only") {
    if (readOnlyOk) return { kind: "read-only" };
    return check.fail(node, path, `"read-only" is only for tools in an allow section`);
  }
  if (isScalar(node) && typeof node.value === "string") {
    return check.fail(node, path, `expected a list of patterns, e.g. ["${node.value}"]${readOnlyOk ? ', or "read-only"' : ""}`);
  }
  const what = kind === "resource" ? "URI patterns" : `${kind} name patterns`;
  const entries = check.strings(node, path, what);
  if (!entries) return undefined;
  const fold = section === "deny" ? (kind === "resource" ? foldUri : foldName) : undefined;
  const patterns: Glob[] = [];
  entries.forEach(({ value, node: item }, index) => {
    if (value.length > MAX_PATTERN_LENGTH)
      return check.fail(item, `${path}[${index}]`, `a pattern is at most ${MAX_PATTERN_LENGTH} characters`);
    const compiled = compileGlob(value, fold);
    if (compiled.ok) patterns.push(compiled.glob);
    else check.fail(item, `${path}[${index}]`, compiled.reason);
  });
  return { kind: "patterns", patterns };
}

function rateLimitOf(check: Checker, node: Node | null | undefined, path: string, offAllowed: boolean): RateLimit | "off" | undefined {
  if (offAllowed && isScalar(node) && node.value === "off") return "off";
  const map = check.map(node, path, `a map with requests_per_minute and burst${offAllowed ? ', or "off"' : ""}`);
  if (!map) return undefined;
  const keys = check.entries(map, path, LIMIT_KEYS);
  if (!keys.has("requests_per_minute")) return check.fail(map, path, "requests_per_minute: is missing");
  const requestsPerMinute = check.integer(keys.get("requests_per_minute"), `${path}.requests_per_minute`, 1, MAX_REQUESTS_PER_MINUTE);
  const burst = keys.has("burst") ? check.integer(keys.get("burst"), `${path}.burst`, 1, MAX_REQUESTS_PER_MINUTE) : requestsPerMinute;
  if (requestsPerMinute === undefined || burst === undefined) return undefined;
  return { requestsPerMinute, burst };
}
