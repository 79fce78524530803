/**
 * Human output of `grants list` and `grants revoke`. Client names, emails and ids come from the
 * grant store — a client's name is whatever its registrant chose — so every such text is made
 * terminal-safe first: no control characters (ANSI escapes), no bidirectional overrides.
 */
import { describeSource, type GrantsListResult, type GrantsRevokeResult } from "../grants/commands";
import type { GrantFilter, GrantSelector, GrantSummary } from "../grants/grants";

/** Removes C0/C1 control characters and bidirectional-formatting characters, and caps the length. */
function terminalSafe(text: string, max = 200): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0x200e || code === 0x200f || code === 0x061c;
    if (!control && !bidi) out += char;
  }
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export function formatGrantsList(result: GrantsListResult): string {
  const { grants } = result;
  const where = describeSource(result.source);
  const narrowed = describeFilter(result.filter);
  if (grants.length === 0) return `\nNo OAuth grants${narrowed ? ` ${narrowed}` : ""} in ${where}.\n`;
  const people = new Set(grants.map(person));
  const lines = [``, `${grants.length} OAuth grant(s)${narrowed ? ` ${narrowed}` : ""}, ${people.size} person(s), in ${where}:`];
  let current: string | undefined;
  for (const grant of grants) {
    if (person(grant) !== current) {
      current = person(grant);
      lines.push("", grant.email !== undefined ? terminalSafe(grant.email) : `(no email) user ${terminalSafe(grant.userId)}`);
    }
    const client = grant.clientName !== undefined ? `"${terminalSafe(grant.clientName, 80)}" (${terminalSafe(grant.clientId)})` : terminalSafe(grant.clientId);
    lines.push(`  grant ${terminalSafe(grant.grantId)} · client ${client}`);
    lines.push(`    ${details(grant).join(" · ")}`);
  }
  lines.push("", "Revoke with: grants revoke --user=EMAIL | --client=ID | --grant=ID | --all");
  return `${lines.join("\n")}\n`;
}

export function formatGrantsRevoke(result: GrantsRevokeResult): string {
  const lines = [""];
  const what = describeSelector(result.selector);
  if (result.revoked.length === 0 && result.failed.length === 0) {
    lines.push(`No grant matched ${what}; nothing was revoked.`);
  } else if (result.revoked.length > 0) {
    const byPerson = new Map<string, number>();
    for (const grant of result.revoked) byPerson.set(personLabel(grant), (byPerson.get(personLabel(grant)) ?? 0) + 1);
    const who = [...byPerson].map(([label, n]) => `${label}: ${n}`).join(", ");
    lines.push(`✓ Revoked ${result.revoked.length} grant(s) (${who}). Their MCP clients now get 401 and must sign in again.`);
    if (result.source.kind === "cloudflare") lines.push("  Cloudflare KV can take up to a minute to drop cached copies at every location.");
  }
  if (result.failed.length > 0) {
    lines.push(`✗ ${result.failed.length} grant(s) could not be fully revoked: ${result.failed.map((f) => terminalSafe(f.grantId)).join(", ")}.`, "  Run the same command again.");
  }
  return `${lines.join("\n")}\n`;
}

function details(grant: GrantSummary): string[] {
  const out = [`signed in ${when(grant.createdAt)}`];
  if (grant.status === "pending") out.push("code not yet exchanged");
  else out.push(grant.hasRefreshToken ? `refresh ${grant.expiresAt !== undefined ? `until ${when(grant.expiresAt)}` : "with no expiry"}` : "no refresh token");
  out.push(grant.accessTokens === 0 ? "no live access token" : `${grant.accessTokens} access token(s)${grant.accessTokenExpiresAt !== undefined ? ` until ${when(grant.accessTokenExpiresAt)}` : ""}`);
  if (grant.scope.length > 0) out.push(`scope ${terminalSafe(grant.scope.join(" "), 80)}`);
  return out;
}

function describeFilter(filter: GrantFilter): string {
  const parts = [
    filter.user !== undefined ? `of ${terminalSafe(filter.user)}` : "",
    filter.client !== undefined ? `for client ${terminalSafe(filter.client)}` : "",
    filter.grant !== undefined ? `with id ${terminalSafe(filter.grant)}` : "",
  ];
  return parts.filter(Boolean).join(" ");
}

function describeSelector(selector: GrantSelector): string {
  if ("all" in selector) return "--all";
  if ("user" in selector) return `--user ${terminalSafe(selector.user)}`;
  if ("client" in selector) return `--client ${terminalSafe(selector.client)}`;
  return `--grant ${terminalSafe(selector.grant)}`;
}

function person(grant: GrantSummary): string {
  return grant.email?.toLowerCase() ?? `user:${grant.userId}`;
}

function personLabel(grant: GrantSummary): string {
  return grant.email !== undefined ? terminalSafe(grant.email) : `user ${terminalSafe(grant.userId)}`;
}

function when(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
