/**
 * Reads the few settings the upload needs from wrangler.toml: main, compatibility_date,
 * compatibility_flags, the [vars] table and the [[ratelimits]] bindings. A deliberately small TOML
 * subset (strings, string arrays, an inline table of integers, comments); anything else is
 * ignored, never guessed.
 */

/** A Workers Rate Limiting binding (`[[ratelimits]]`), as the upload metadata carries it. */
export interface RateLimitSetting {
  name: string;
  /** A positive integer, as a string, unique within the account. */
  namespace_id: string;
  simple: { limit: number; period: 10 | 60 };
}

export interface WranglerSettings {
  main: string | undefined;
  compatibilityDate: string | undefined;
  compatibilityFlags: string[];
  vars: Record<string, string>;
  rateLimits: RateLimitSetting[];
}

/** Parses the settings out of wrangler.toml text. */
export function readWranglerSettings(toml: string): WranglerSettings {
  const settings: WranglerSettings = { main: undefined, compatibilityDate: undefined, compatibilityFlags: [], vars: {}, rateLimits: [] };
  let table = "";
  let rateLimit: Partial<RateLimitSetting> | undefined;
  const closeRateLimit = () => {
    if (rateLimit) settings.rateLimits.push(completeRateLimit(rateLimit));
    rateLimit = undefined;
  };
  const lines = toml.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    let line = stripComment(lines[i] ?? "").trim();
    if (line.length === 0) continue;
    const header = /^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?$/.exec(line);
    if (header) {
      closeRateLimit();
      table = line.startsWith("[[") ? `[[${header[1]}]]` : (header[1] ?? "");
      if (table === "[[ratelimits]]") rateLimit = {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line
      .slice(0, eq)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    let value = line.slice(eq + 1).trim();
    // A multi-line array continues until its closing bracket.
    while (value.startsWith("[") && !value.includes("]") && i + 1 < lines.length) {
      i += 1;
      line = stripComment(lines[i] ?? "").trim();
      value += ` ${line}`;
    }
    if (table === "") {
      if (key === "main") settings.main = parseString(value);
      if (key === "compatibility_date") settings.compatibilityDate = parseString(value);
      if (key === "compatibility_flags") settings.compatibilityFlags = parseStringArray(value);
    } else if (table === "vars") {
      const text = parseString(value);
      if (text !== undefined) settings.vars[key] = text;
    } else if (rateLimit) {
      if (key === "name") rateLimit.name = parseString(value);
      if (key === "namespace_id") rateLimit.namespace_id = parseString(value);
      if (key === "simple") rateLimit.simple = parseSimple(value);
    }
  }
  closeRateLimit();
  return settings;
}

/** `{ limit = 10, period = 60 }`: the only shape `simple` takes. */
function parseSimple(value: string): RateLimitSetting["simple"] | undefined {
  const match = /^\{\s*(\w+)\s*=\s*(\d+)\s*,\s*(\w+)\s*=\s*(\d+)\s*\}$/.exec(value.trim());
  if (!match) return undefined;
  const fields = new Map([
    [match[1], Number(match[2])],
    [match[3], Number(match[4])],
  ]);
  const limit = fields.get("limit");
  const period = fields.get("period");
  if (limit === undefined || !(limit > 0) || (period !== 10 && period !== 60)) return undefined;
  return { limit, period };
}

/** A [[ratelimits]] entry must be complete: a binding without its limit would upload as broken. */
function completeRateLimit(entry: Partial<RateLimitSetting>): RateLimitSetting {
  const { name, namespace_id, simple } = entry;
  if (!name || !namespace_id || !/^[1-9]\d*$/.test(namespace_id) || !simple) {
    throw new Error(
      `wrangler.toml: [[ratelimits]] ${name ?? "(no name)"} needs name, a numeric namespace_id and simple = { limit = N, period = 10|60 }`,
    );
  }
  return { name, namespace_id, simple };
}

function parseString(value: string): string | undefined {
  const basic = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (basic) return (basic[1] ?? "").replace(/\\(["\\])/g, "$1");
  const literal = /^'([^']*)'$/.exec(value);
  if (literal) return literal[1];
  return undefined;
}

function parseStringArray(value: string): string[] {
  const inner = /^\[(.*)\]$/s.exec(value.trim());
  if (!inner) return [];
  return (inner[1] ?? "")
    .split(",")
    .map((part) => parseString(part.trim()))
    .filter((s): s is string => s !== undefined);
}

/** Removes a `#` comment that is not inside a string. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quote) {
      if (ch === "\\" && quote === '"') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") return line.slice(0, i);
  }
  return line;
}
