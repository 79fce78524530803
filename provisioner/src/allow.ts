/**
 * `--allow everyone|emails:a@x.com,b@y.com|domain:example.com`: who may sign in at Cloudflare
 * Access. Parsed once here and turned into the Access policy's include rules.
 */
import { isValidEmail } from "@mcpbox/shared";
import type { AccessRule } from "./cloudflare/types";
import { UsageError } from "./errors";
import type { AllowRule } from "./state/state";

const ALLOW_FORMAT = "--allow everyone | emails:you@example.com,friend@example.org | domain:example.com";

/** Parses the flag's value; throws UsageError naming the bad part. */
export function parseAllowFlag(value: string): AllowRule {
  const trimmed = value.trim();
  if (trimmed === "everyone") return { kind: "everyone" };
  const colon = trimmed.indexOf(":");
  const kind = colon > 0 ? trimmed.slice(0, colon) : "";
  const rest = trimmed.slice(colon + 1);
  if (kind === "emails") {
    const emails = rest.split(",").map((e) => e.trim().toLowerCase()).filter((e) => e.length > 0);
    const bad = emails.find((e) => !isValidEmail(e));
    if (emails.length === 0 || bad !== undefined) throw new UsageError(`--allow: ${bad ? `"${bad}" is not an email address` : "no email given"}.`, `Use ${ALLOW_FORMAT}.`);
    return { kind: "emails", emails: [...new Set(emails)].sort() };
  }
  if (kind === "domain") {
    const domain = rest.trim().toLowerCase().replace(/^@/, "");
    if (!isValidEmail(`user@${domain}`)) throw new UsageError(`--allow: "${rest}" is not a domain.`, `Use ${ALLOW_FORMAT}.`);
    return { kind: "domain", domain };
  }
  throw new UsageError(`--allow: "${value}" is not understood.`, `Use ${ALLOW_FORMAT}.`);
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
