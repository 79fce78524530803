/**
 * `MCP_UPSTREAM_COMMAND` as words: split into a program and its arguments the way a POSIX shell
 * splits words, without running a shell (no variable expansion, globbing, pipes or redirections),
 * and the reverse, an argument list quoted into a line that splits back into the same words.
 */

export type CommandLineResult = { ok: true; argv: string[] } | { ok: false; reason: string };

/**
 * Splits a command line into words. Supports single quotes (literal), double quotes (with `\"`,
 * `\\`, `\$` and `` \` `` escapes) and backslash escapes outside quotes.
 */
export function splitCommandLine(line: string): CommandLineResult {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) word += line[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\") {
      if (i + 1 >= line.length) return { ok: false, reason: "it ends with a lone backslash" };
      word += line[++i];
      inWord = true;
    } else if (ch === " " || ch === "\t" || ch === "\n") {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return { ok: false, reason: `it has an unterminated ${quote === "'" ? "single" : "double"} quote` };
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, reason: "it is empty" };
  return { ok: true, argv };
}

/** Quotes one word so that splitCommandLine gives it back unchanged: as it is when it needs no quoting, else in single quotes. */
function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** A command line that splitCommandLine splits back into exactly `argv`. */
export function joinCommandLine(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}
