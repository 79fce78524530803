/**
 * Member names that a parser other than the gateway's could take for a JSON-RPC or MCP member.
 * Go's encoding/json matches names case-insensitively with Unicode simple folding (`ſ` U+017F
 * reads as "s", the Kelvin sign U+212A as "k") and lets the last match win; other stacks apply
 * NFKC or drop invisible characters. The gateway reads a few members at three levels (message,
 * `params`, `params._meta`); at those levels a name that folds to a member without being spelled
 * exactly like it is refused, so every hop finds the same member or none.
 */
import type { JsonObject } from "./strict-json";

// Characters a normaliser may silently drop (soft hyphen, zero-width space, joiners, …).
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
// Anything outside printable ASCII takes the full fold (controls included: they are rare in names).
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The comparison form of a member name, close to Unicode's NFKC_Casefold (UAX #44 / Unicode
 * §3.13): invisible characters removed, compatibility forms and case folded. ASCII names take a
 * fast path (plain lower case) since folding cannot turn them into anything else.
 */
export function foldMemberName(name: string): string {
  if (PRINTABLE_ASCII.test(name)) return name.toLowerCase();
  // Upper then lower folds one-way mappings too: ſ → S → s, ß → SS → ss, K (Kelvin) → k.
  return name.replace(DEFAULT_IGNORABLE, "").normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/** The member names the gateway reads at one level of a message. */
export class MemberNames {
  private readonly byFold: ReadonlyMap<string, string>;
  private readonly exact: ReadonlySet<string>;

  constructor(readonly names: readonly string[]) {
    this.byFold = new Map(names.map((name) => [foldMemberName(name), name]));
    this.exact = new Set(names);
  }

  /** The first name of `object` that folds to one of these members but is spelled otherwise. */
  findVariant(object: JsonObject): { variant: string; member: string } | undefined {
    for (const name of Object.keys(object)) {
      // A member spelled exactly is no variant (and most names are): no fold needed.
      if (this.exact.has(name)) continue;
      const member = this.byFold.get(foldMemberName(name));
      if (member !== undefined && member !== name) return { variant: name, member };
    }
    return undefined;
  }
}

/** JSON-RPC 2.0 §4–§5: the members of a request, notification or response. */
export const MESSAGE_MEMBERS = new MemberNames(["jsonrpc", "id", "method", "params", "result", "error"]);

/**
 * MCP request parameters the gateway or a hop behind it routes on: tool, prompt and resource
 * targets (`Mcp-Name`), tool arguments, cancellation, progress metadata, pagination, version.
 */
export const PARAMS_MEMBERS = new MemberNames(["name", "uri", "arguments", "_meta", "requestId", "protocolVersion", "cursor"]);

/** MCP `_meta` members the stdio bridge reads (progress notifications follow their token). */
export const META_MEMBERS = new MemberNames(["progressToken"]);
