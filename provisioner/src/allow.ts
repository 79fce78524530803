/**
 * `--allow everyone|emails:a@x.com,b@y.com|domain:example.com`: who may sign in at Cloudflare
 * Access. Parsed once here and turned into the Access policy's include rules.
 */
import { isValidEmail } from "@mcpbox/shared";
import type { AccessRule } from "./cloudflare/types";
import { UsageError } from "./errors";
import type { AllowRule } from "./state/state";

const ALLOW_FORMAT = "--allow everyone | emails:you@example.com,friend@example.org | domain:example.com";

/** The three kinds of rule, as a person picks them (the web wizard's choices). */
export const ALLOW_KINDS = ["emails", "domain", "everyone"] as const;
export type AllowKind = (typeof ALLOW_KINDS)[number];

/** A rule, or what is wrong with the input (a sentence without any flag name). */
export type AllowCheck = { ok: true; rule: AllowRule } | { ok: false; problem: string };

/**
 * Builds a rule from a kind and its text: emails separated by commas, spaces or new lines; a
 * domain with or without a leading "@"; nothing for everyone.
 */
export function checkAllow(kind: AllowKind, text: string): AllowCheck {
  if (kind === "everyone") return { ok: true, rule: { kind: "everyone" } };
  if (kind === "emails") {
    const emails = text
      .split(/[\s,]+/)
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e.length > 0);
    const bad = emails.find((e) => !isValidEmail(e));
    if (bad !== undefined) return { ok: false, problem: `"${bad}" is not an email address.` };
    if (emails.length === 0) return { ok: false, problem: "No email address given." };
    return { ok: true, rule: { kind: "emails", emails: [...new Set(emails)].sort() } };
  }
  const domain = text.trim().toLowerCase().replace(/^@/, "");
  if (!isValidEmail(`user@${domain}`)) return { ok: false, problem: `"${text.trim()}" is not a domain.` };
  return { ok: true, rule: { kind: "domain", domain } };
}

/** Parses the flag's value; throws UsageError naming the bad part. */
export function parseAllowFlag(value: string): AllowRule {
  const trimmed = value.trim();
  const colon = trimmed.indexOf(":");
  const kind = trimmed === "everyone" ? "everyone" : colon > 0 ? trimmed.slice(0, colon) : "";
  if (kind !== "everyone" && kind !== "emails" && kind !== "domain")
    throw new UsageError(`--allow: "${value}" is not understood.`, `Use ${ALLOW_FORMAT}.`);
  const check = checkAllow(kind, kind === "everyone" ? "" : trimmed.slice(colon + 1));
  if (!check.ok) throw new UsageError(`--allow: ${check.problem.charAt(0).toLowerCase()}${check.problem.slice(1)}`, `Use ${ALLOW_FORMAT}.`);
  return check.rule;
}

/** The Access policy include rules for an allow rule. */
export function accessRulesFor(allow: AllowRule): AccessRule[] {
  if (allow.kind === "everyone") return [{ everyone: {} }];
  if (allow.kind === "domain") return [{ email_domain: { domain: allow.domain } }];
  return allow.emails.map((email) => ({ email: { email } }));
}

/**
 * The email allowlist (`a@x.com,b@y.com` or `*@example.com`) that matches the rule, for the
 * Worker's ALLOWED_EMAILS and the gateway's MCPBOX_ALLOWED_EMAILS; empty for everyone.
 */
export function emailAllowlistFor(allow: AllowRule): string {
  if (allow.kind === "everyone") return "";
  if (allow.kind === "domain") return `*@${allow.domain}`;
  return allow.emails.join(",");
}

/** Human description: "anyone who can sign in", "a@x.com, b@y.com", "anyone @example.com". */
export function describeAllow(allow: AllowRule): string {
  if (allow.kind === "everyone") return "everyone who can sign in with your identity providers";
  if (allow.kind === "domain") return `anyone with an @${allow.domain} address`;
  return allow.emails.join(", ");
}

export { ALLOW_FORMAT };
