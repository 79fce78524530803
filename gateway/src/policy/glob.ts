/**
 * Name and URI patterns. `*` matches any run of characters (none included, `/` included); `\`
 * makes the next character literal (`\*` is a star). Matching is linear (no regular expressions,
 * so no catastrophic backtracking on long URIs).
 *
 * Allow and deny are deliberately asymmetric, so that look-alikes fail closed: an allow pattern
 * matches the exact code points (`Echo` is not `echo`, Cyrillic `е` is not Latin `e`), while a
 * deny pattern also matches the name's folded form (Unicode NFKC, lower case, invisible
 * characters removed; for URIs also percent-decoding, `\` as `/` and dot segments resolved per
 * RFC 3986 §5.2.4), so a server that looks names up loosely cannot be reached around a deny.
 */

export interface Glob {
  /** The pattern as written in the policy file. */
  readonly source: string;
  /** Literal pieces between the stars (one piece: no star, an exact match). */
  readonly pieces: readonly string[];
}

export type GlobResult = { ok: true; glob: Glob } | { ok: false; reason: string };

/** Compiles a pattern; `fold` is applied to its literal pieces (for deny patterns). Pure. */
export function compileGlob(source: string, fold: (s: string) => string = (s) => s): GlobResult {
  if (source.length === 0) return { ok: false, reason: "a pattern must not be empty" };
  const pieces: string[] = [];
  let current = "";
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === "\\") {
      if (i + 1 >= source.length)
        return { ok: false, reason: `"${source}" ends with a lone \\ (write \\\\ for a backslash, \\* for a star)` };
      current += source[++i];
    } else if (ch === "*") {
      pieces.push(fold(current));
      current = "";
    } else current += ch;
  }
  pieces.push(fold(current));
  return { ok: true, glob: { source, pieces } };
}

/** True when `text` matches the pattern. Leftmost matching of the inner pieces is exact for `*`-only globs. */
export function globMatches(glob: Glob, text: string): boolean {
  const { pieces } = glob;
  if (pieces.length === 1) return text === pieces[0];
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] as string;
    if (piece === "") continue;
    const found = text.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

// Characters that render as nothing (Unicode Default_Ignorable_Code_Point: zero-width joiners,
// soft hyphen, variation selectors, BOM).
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/** The folded form of a tool or prompt name, for deny matching. Pure. */
export function foldName(name: string): string {
  return name.normalize("NFKC").replace(INVISIBLE, "").toLowerCase().normalize("NFKC");
}

const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;

function percentDecode(text: string): string {
  let current = text;
  // Double encoding (%252e) is decoded too; three rounds cover what a server would plausibly undo.
  for (let round = 0; round < 3 && PERCENT_ESCAPE.test(current); round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      // Malformed UTF-8 escapes: decode the ASCII ones only, which is all a traversal needs.
      next = current.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** RFC 3986 §5.2.4 remove_dot_segments, on the part after the authority. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "..") {
      if (out.length > 1) out.pop();
      if (last) out.push("");
    } else if (segment === ".") {
      if (last) out.push("");
    } else out.push(segment);
  });
  return out.join("/");
}

/** The folded form of a resource URI, for deny matching. Pure. */
export function foldUri(uri: string): string {
  const decoded = percentDecode(uri).replace(/\\/g, "/");
  const scheme = /^[a-z][a-z0-9+.-]*:(?:\/\/[^/?#]*)?/i.exec(decoded);
  const head = scheme ? scheme[0] : "";
  const rest = decoded.slice(head.length);
  const query = rest.search(/[?#]/);
  const path = query === -1 ? rest : rest.slice(0, query);
  const tail = query === -1 ? "" : rest.slice(query);
  return foldName(head + removeDotSegments(path) + tail);
}

// Dot segments, encoded dots/slashes/backslashes, backslashes: ways a URI can leave a prefix.
const NOT_PLAIN = /(?:^|[/\\])\.{1,2}(?:[/\\?#]|$)|%(?:2e|2f|5c)|\\/i;

/** True when an allow pattern may match this URI: no traversal or encoded path characters. Pure. */
export function isPlainUri(uri: string): boolean {
  return !NOT_PLAIN.test(uri);
}
