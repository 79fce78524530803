/**
 * The env file format the provisioner writes and compose, the gateway and `npm run connect` read:
 * KEY=VALUE lines (docker compose `env_file`), `#` comments, an optional `export `, and values
 * optionally wrapped in one pair of quotes. Pure parsing; reading the file is the caller's.
 */

/** The KEY=VALUE pairs of `text`; a later line for the same key wins, as in compose. */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    values.set(match[1], (match[2] ?? "").replace(/^(["'])(.*)\1$/, "$2"));
  }
  return values;
}
