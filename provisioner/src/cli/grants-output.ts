/**
 * Human output of `grants list` and `grants revoke`. Every text from the grant store goes through
 * the library's `displaySafe` (grants/present.ts): no control characters (ANSI escapes), no
 * bidirectional overrides.
 */
import { describeSource, type GrantsListResult, type GrantsRevokeResult } from "../grants/commands";
import type { GrantFilter, GrantSummary } from "../grants/grants";
import { clientLabel, describeSelector, displaySafe, formatGrantTime, grantsByPerson, reportRevoke } from "../grants/present";

export function formatGrantsList(result: GrantsListResult): string {
  const { grants } = result;
  const where = describeSource(result.source);
  const narrowed = describeFilter(result.filter);
  if (grants.length === 0) return `\nNo OAuth grants${narrowed ? ` ${narrowed}` : ""} in ${where}.\n`;
  const people = grantsByPerson(grants);
  const lines = [``, `${grants.length} OAuth grant(s)${narrowed ? ` ${narrowed}` : ""}, ${people.length} person(s), in ${where}:`];
  for (const person of people) {
    lines.push("", person.label);
    for (const grant of person.grants) {
      lines.push(`  grant ${displaySafe(grant.grantId)} · client ${clientLabel(grant)}`);
      lines.push(`    ${details(grant).join(" · ")}`);
    }
  }
  lines.push("", "Revoke with: grants revoke --user=EMAIL | --client=ID | --grant=ID | --all");
  return `${lines.join("\n")}\n`;
}

export function formatGrantsRevoke(result: GrantsRevokeResult): string {
  const report = reportRevoke(result, describeSelector(result.selector, "flags"), "Run the same command again.");
  const lines = report.sentences.flatMap((s) => (s.detail !== undefined ? [s.text, `  ${s.detail}`] : [s.text]));
  return `${["", ...lines].join("\n")}\n`;
}

function details(grant: GrantSummary): string[] {
  const out = [`signed in ${formatGrantTime(grant.createdAt)}`];
  if (grant.status === "pending") out.push("code not yet exchanged");
  else out.push(grant.hasRefreshToken ? `refresh ${grant.expiresAt !== undefined ? `until ${formatGrantTime(grant.expiresAt)}` : "with no expiry"}` : "no refresh token");
  out.push(grant.accessTokens === 0 ? "no live access token" : `${grant.accessTokens} access token(s)${grant.accessTokenExpiresAt !== undefined ? ` until ${formatGrantTime(grant.accessTokenExpiresAt)}` : ""}`);
  if (grant.scope.length > 0) out.push(`scope ${displaySafe(grant.scope.join(" "), 80)}`);
  return out;
}

function describeFilter(filter: GrantFilter): string {
  const parts = [
    filter.user !== undefined ? `of ${displaySafe(filter.user)}` : "",
    filter.client !== undefined ? `for client ${displaySafe(filter.client)}` : "",
    filter.grant !== undefined ? `with id ${displaySafe(filter.grant)}` : "",
  ];
  return parts.filter(Boolean).join(" ");
}
