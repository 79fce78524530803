/**
 * Reads the few top-level settings the upload needs from wrangler.toml: main, compatibility_date,
 * compatibility_flags, and the [vars] table. A deliberately small TOML subset (strings, string
 * arrays, comments); anything else is ignored, never guessed.
 */

export interface WranglerSettings {
  main: string | undefined;
  compatibilityDate: string | undefined;
  compatibilityFlags: string[];
  vars: Record<string, string>;
}

/** Parses the settings out of wrangler.toml text. */
export function readWranglerSettings(toml: string): WranglerSettings {
  const settings: WranglerSettings = { main: undefined, compatibilityDate: undefined, compatibilityFlags: [], vars: {} };
  let table = "";
  const lines = toml.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    let line = stripComment(lines[i] ?? "").trim();
    if (line.length === 0) continue;
    const header = /^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?$/.exec(line);
    if (header) {
      table = line.startsWith("[[") ? `[[${header[1]}]]` : (header[1] ?? "");
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().replace(/^"(.*)"$/, "$1");
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
    }
  }
  return settings;
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
