/**
 * Policy decisions. For a caller, the applicable rules are those whose users (and clients, when
 * given) match. Then, for a tool, prompt or resource: a deny of any applicable rule refuses it
 * (deny wins); otherwise, if any applicable rule has an allow section, one of them must allow it;
 * a caller without such a rule gets the policy's default. Pure: the read-only hint is passed in.
 */
import { foldName, foldUri, globMatches, isPlainUri } from "./glob";
import { DEFAULT_RULE_NAME, POLICY_RATE_LIMIT_NAME } from "./model";
import type { Access, Audience, Policy, RateLimit, Rule, Selector, Target } from "./model";

/** Who is asking: the verified email (null: none) and the OAuth client that holds the token. */
export interface Caller {
  readonly email: string | null;
  readonly clientId: string | null;
}

/** The rules that apply to one caller, resolved once per policy. */
export interface Subject {
  readonly denyRules: readonly Rule[];
  readonly allowRules: readonly Rule[];
  readonly rateLimit: RateLimit | null;
  /** Where the rate limit comes from: a rule's name, or `rate_limit` for the policy-wide one. */
  readonly rateLimitSource: string;
  /** True when nothing can be refused or hidden for this caller. */
  readonly unrestricted: boolean;
}

export type Decision =
  { readonly allowed: true; readonly rule: string } | { readonly allowed: false; readonly rule: string; readonly reason: string };

/** `true`/`false` from the tool's `readOnlyHint`; `undefined` when the gateway has not seen it. */
export type ReadOnlyHint = boolean | undefined;

const SUBJECT_CACHE_LIMIT = 1024;
const subjects = new WeakMap<Policy, Map<string, Subject>>();

function inAudience(audience: Audience, email: string): boolean {
  if (audience.everyone || audience.emails.has(email)) return true;
  const at = email.lastIndexOf("@");
  return at > 0 && audience.domains.has(email.slice(at + 1));
}

function grantsEverything(access: Access | null): boolean {
  const all = (s: Selector | undefined) => s?.kind === "patterns" && s.patterns.some((p) => p.source === "*");
  return access !== null && all(access.tools) && all(access.prompts) && all(access.resources);
}

/** The rules that apply to `caller`. Cached per policy object; a reload starts afresh. */
export function subjectOf(policy: Policy, caller: Caller): Subject {
  const email = caller.email?.toLowerCase() ?? null;
  const key = `${email ?? ""}\n${caller.clientId ?? ""}`;
  let cache = subjects.get(policy);
  if (!cache) subjects.set(policy, (cache = new Map()));
  const cached = cache.get(key);
  if (cached) return cached;

  const applicable =
    email === null
      ? []
      : policy.rules.filter(
          (r) => inAudience(r.users, email) && (r.clients === null || (caller.clientId !== null && r.clients.has(caller.clientId))),
        );
  const denyRules = applicable.filter((r) => r.deny !== null);
  const allowRules = applicable.filter((r) => r.allow !== null);
  const limiting = applicable.find((r) => r.rateLimit !== null);
  const rateLimit = limiting === undefined ? policy.rateLimit : limiting.rateLimit === "off" ? null : limiting.rateLimit;
  const rateLimitSource = limiting?.name ?? POLICY_RATE_LIMIT_NAME;
  const unrestricted =
    denyRules.length === 0 &&
    (allowRules.length === 0 ? policy.defaultAccess === "allow" : allowRules.some((r) => grantsEverything(r.allow)));
  const subject: Subject = { denyRules, allowRules, rateLimit, rateLimitSource, unrestricted };
  if (cache.size >= SUBJECT_CACHE_LIMIT) cache.clear();
  cache.set(key, subject);
  return subject;
}

function selectorOf(access: Access, target: Target): Selector | undefined {
  return target.kind === "tool" ? access.tools : target.kind === "prompt" ? access.prompts : access.resources;
}

function allows(selector: Selector | undefined, target: Target, readOnly: ReadOnlyHint): boolean {
  if (!selector) return false;
  if (selector.kind === "read-only") return readOnly === true;
  // Allow patterns see the exact code points; a URI that could walk out of a prefix never matches.
  if (target.kind === "resource" && !isPlainUri(target.name)) return false;
  return selector.patterns.some((p) => globMatches(p, target.name));
}

function describe(target: Target): string {
  return `${target.kind} "${target.name}"`;
}

function readOnlyReason(target: Target, readOnly: ReadOnlyHint, who: string): string {
  if (readOnly === undefined) {
    return `${who} allows only read-only tools, and the gateway has not yet seen ${describe(target)} in a tools/list answer, so it cannot tell whether it is read-only; list the tools, then retry`;
  }
  return `${who} allows only read-only tools, and ${describe(target)} is not marked readOnlyHint: true by the server`;
}

/** Decides whether `subject` may use `target`. Pure. */
export function decide(policy: Policy, subject: Subject, target: Target, readOnly: ReadOnlyHint): Decision {
  if (subject.denyRules.length > 0) {
    const folded = target.kind === "resource" ? foldUri(target.name) : foldName(target.name);
    for (const rule of subject.denyRules) {
      const selector = selectorOf(rule.deny as Access, target);
      // Deny patterns were folded at parse time; the raw name is checked too, for escaped forms.
      if (selector?.kind === "patterns" && selector.patterns.some((p) => globMatches(p, folded) || globMatches(p, target.name))) {
        return { allowed: false, rule: rule.name, reason: `rule "${rule.name}" denies ${describe(target)}` };
      }
    }
  }
  if (subject.allowRules.length > 0) {
    for (const rule of subject.allowRules) {
      if (allows(selectorOf(rule.allow as Access, target), target, readOnly)) return { allowed: true, rule: rule.name };
    }
    const first = subject.allowRules[0] as Rule;
    const readOnlyRule = target.kind === "tool" ? subject.allowRules.find((r) => r.allow?.tools?.kind === "read-only") : undefined;
    if (readOnlyRule)
      return { allowed: false, rule: readOnlyRule.name, reason: readOnlyReason(target, readOnly, `rule "${readOnlyRule.name}"`) };
    const names = subject.allowRules.map((r) => `"${r.name}"`).join(", ");
    return { allowed: false, rule: first.name, reason: `no rule that applies to you allows ${describe(target)} (your rules: ${names})` };
  }
  switch (policy.defaultAccess) {
    case "allow":
      return { allowed: true, rule: DEFAULT_RULE_NAME };
    case "deny":
      return {
        allowed: false,
        rule: DEFAULT_RULE_NAME,
        reason: `the policy's default denies ${describe(target)} to users no rule allows anything`,
      };
    case "read-only":
      if (target.kind !== "tool" || readOnly === true) return { allowed: true, rule: DEFAULT_RULE_NAME };
      return { allowed: false, rule: DEFAULT_RULE_NAME, reason: readOnlyReason(target, readOnly, "the policy's default") };
  }
}
