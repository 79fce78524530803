/**
 * How grants are shown to a person, by the CLI and the Remote Access page alike: text made safe to
 * display, who a grant belongs to, grants grouped by person and by client, times, and what a revoke
 * did. Emails, client names and ids come from the grant store — a client's name is whatever its
 * registrant chose — so every such text passes through `displaySafe` before it is shown.
 */
import type { KvStoreSource } from "./kv-store";
import type { GrantSelector, GrantSummary, RevokeResult } from "./grants";

/**
 * Removes C0/C1 control characters (ANSI escape sequences on a terminal) and the bidirectional
 * formatting characters (Unicode UAX #9 embeddings, overrides, isolates and marks, which reorder
 * what a reader sees: "Trojan Source", CVE-2021-42574), and caps the length.
 */
export function displaySafe(text: string, max = 200): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0x200e || code === 0x200f || code === 0x061c;
    if (!control && !bidi) out += char;
  }
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** The person a grant belongs to: the email, or `(no email) user <id>`. */
export function personLabel(grant: Pick<GrantSummary, "email" | "userId">): string {
  return grant.email !== undefined ? displaySafe(grant.email) : `(no email) user ${displaySafe(grant.userId)}`;
}

/** A client's name, when registered with one; client names are capped shorter than ids. */
export function clientNameLabel(grant: Pick<GrantSummary, "clientName">): string | undefined {
  return grant.clientName !== undefined ? displaySafe(grant.clientName, 80) : undefined;
}

/** `"Name" (id)`, or the id alone for a client registered without a name. */
export function clientLabel(grant: Pick<GrantSummary, "clientName" | "clientId">): string {
  const name = clientNameLabel(grant);
  return name !== undefined ? `"${name}" (${displaySafe(grant.clientId)})` : displaySafe(grant.clientId);
}

/** One line per grant: person, client, grant id. */
export function grantLabel(grant: GrantSummary): string {
  return `${personLabel(grant)} · client ${clientLabel(grant)} · grant ${displaySafe(grant.grantId)}`;
}

/** One person's grants. `user` is what selects them for a revoke: the email, else the user id. */
export interface PersonGrants {
  label: string;
  user: string;
  grants: GrantSummary[];
}

/** Grants by person, in the order `listGrants` returns them (by person, then by age). */
export function grantsByPerson(grants: readonly GrantSummary[]): PersonGrants[] {
  const people = new Map<string, PersonGrants>();
  for (const grant of grants) {
    const key = grant.email?.toLowerCase() ?? `user:${grant.userId}`;
    const person = people.get(key);
    if (person) person.grants.push(grant);
    else people.set(key, { label: personLabel(grant), user: grant.email ?? grant.userId, grants: [grant] });
  }
  return [...people.values()];
}

export interface ClientGrants {
  clientId: string;
  clientName: string | undefined;
  grants: number;
  people: number;
}

/** The MCP clients the grants belong to, by name, each with how many grants and people. */
export function grantsByClient(grants: readonly GrantSummary[]): ClientGrants[] {
  const clients = new Map<string, { clientName: string | undefined; grants: number; people: Set<string> }>();
  for (const grant of grants) {
    const client = clients.get(grant.clientId) ?? { clientName: grant.clientName, grants: 0, people: new Set<string>() };
    client.grants += 1;
    client.people.add(grant.email?.toLowerCase() ?? `user:${grant.userId}`);
    clients.set(grant.clientId, client);
  }
  return [...clients]
    .map(([clientId, c]) => ({ clientId, clientName: c.clientName, grants: c.grants, people: c.people.size }))
    .sort((a, b) => (a.clientName ?? "").localeCompare(b.clientName ?? "") || a.clientId.localeCompare(b.clientId));
}

/** A time in seconds since the epoch as `YYYY-MM-DD HH:MM UTC`. */
export function formatGrantTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** What a revoke selects: as the CLI's flags, or in words for the page ("" for every grant). */
export function describeSelector(selector: GrantSelector, style: "flags" | "words"): string {
  const flags = style === "flags";
  if ("all" in selector) return flags ? "--all" : "";
  if ("user" in selector) return `${flags ? "--user " : "the person "}${displaySafe(selector.user)}`;
  if ("client" in selector) return `${flags ? "--client " : "the client "}${displaySafe(selector.client)}`;
  return `${flags ? "--grant " : "the grant "}${displaySafe(selector.grant)}`;
}

export interface RevokeReport {
  /** False when some grant could not be revoked. */
  ok: boolean;
  /** What happened, each with a sentence that explains it or says what to do (the first is the headline). */
  sentences: Array<{ text: string; detail?: string }>;
  /** One line per revoked grant. */
  revoked: string[];
}

/**
 * What a revoke did, in sentences: how many grants of whom, that their clients must sign in again,
 * that Cloudflare KV takes up to a minute to reach every location, and what could not be revoked.
 * `what` names the selector (see `describeSelector`); `again` says how to repeat the revoke in the
 * caller's interface.
 */
export function reportRevoke(result: RevokeResult & { source: KvStoreSource }, what: string, again: string): RevokeReport {
  const sentences: RevokeReport["sentences"] = [];
  if (result.revoked.length === 0 && result.failed.length === 0) {
    sentences.push({ text: what ? `No grant matched ${what}; nothing was revoked.` : "There were no grants; nothing was revoked." });
  }
  if (result.revoked.length > 0) {
    const byPerson = new Map<string, number>();
    for (const grant of result.revoked) byPerson.set(shortPerson(grant), (byPerson.get(shortPerson(grant)) ?? 0) + 1);
    const who = [...byPerson].map(([label, n]) => `${label}: ${n}`).join(", ");
    sentences.push({
      text: `✓ Revoked ${result.revoked.length} grant(s) (${who}). Their MCP clients now get 401 and must sign in again.`,
      ...(result.source.kind === "cloudflare" ? { detail: "Cloudflare KV can take up to a minute to drop cached copies at every location." } : {}),
    });
  }
  if (result.failed.length > 0) {
    sentences.push({ text: `✗ ${result.failed.length} grant(s) could not be fully revoked: ${result.failed.map((f) => displaySafe(f.grantId)).join(", ")}.`, detail: again });
  }
  return { ok: result.failed.length === 0, sentences, revoked: result.revoked.map(grantLabel) };
}

/** The grants of a list that a revoke did not remove (the list as it stands after the revoke). */
export function remainingGrants(grants: readonly GrantSummary[], result: RevokeResult): GrantSummary[] {
  const gone = new Set(result.revoked.map((g) => `${g.userId}:${g.grantId}`));
  return grants.filter((g) => !gone.has(`${g.userId}:${g.grantId}`));
}

function shortPerson(grant: GrantSummary): string {
  return grant.email !== undefined ? displaySafe(grant.email) : `user ${displaySafe(grant.userId)}`;
}
