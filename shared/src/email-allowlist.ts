/**
 * Email validation and the allowlist shared by the gateway (`MCPBOX_ALLOWED_EMAILS`) and the
 * Worker (`ALLOWED_EMAILS`): exact addresses and `*@domain` entries, compared case-insensitively.
 */
import { MAX_EMAIL_LENGTH } from "./defaults";

// Deliberately strict: one "@", no whitespace, control characters, quotes, commas or angle
// brackets, a dotted domain of letters, digits and hyphens. Identity providers issue addresses of
// this shape; anything else in a header is more likely an injection attempt than a user.
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** True when `value` is a plausible mailbox of at most 254 characters. */
export function isValidEmail(value: string): boolean {
  return value.length > 0 && value.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(value);
}

export interface EmailAllowlist {
  /** Lower-cased exact addresses. */
  readonly emails: ReadonlySet<string>;
  /** Lower-cased domains from `*@domain` entries. */
  readonly domains: ReadonlySet<string>;
  /** True when no entry was given: any verified email passes. */
  readonly allowsAnyone: boolean;
}

/**
 * Parses a comma-separated allowlist. Throws an Error naming the first bad entry.
 * An empty or missing value yields a list that allows any verified email.
 */
export function parseEmailAllowlist(value: string | undefined): EmailAllowlist {
  const emails = new Set<string>();
  const domains = new Set<string>();
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry.startsWith("*@")) {
      const domain = entry.slice(2);
      if (!isValidEmail(`x@${domain}`)) {
        throw new Error(`invalid allowlist entry "${raw.trim()}": expected *@example.com`);
      }
      domains.add(domain);
    } else if (isValidEmail(entry)) {
      emails.add(entry);
    } else {
      throw new Error(`invalid allowlist entry "${raw.trim()}": expected user@example.com or *@example.com`);
    }
  }
  return { emails, domains, allowsAnyone: emails.size === 0 && domains.size === 0 };
}

/** True when `email` (already validated) is on the list. Case-insensitive. */
export function isEmailAllowed(list: EmailAllowlist, email: string): boolean {
  if (list.allowsAnyone) return true;
  const lower = email.toLowerCase();
  if (list.emails.has(lower)) return true;
  const at = lower.lastIndexOf("@");
  return at > 0 && list.domains.has(lower.slice(at + 1));
}
