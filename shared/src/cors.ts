/**
 * Browser origins of the MCP clients the Worker accepts without configuration.
 * More can be added with the Worker's `CORS_ORIGINS` variable.
 */
export const BUILTIN_CORS_ORIGINS = [
  "https://claude.ai",
  "https://mcp.claude.ai",
  "https://chatgpt.com",
  "https://chat.openai.com",
  "https://platform.openai.com",
  "https://one.dash.cloudflare.com",
] as const;

/** Parses a comma-separated origin list; entries are normalised to `scheme://host[:port]`. */
export function parseOriginList(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const raw of value.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`not an origin: "${entry}" (expected e.g. https://app.example.com)`);
    }
    if (url.origin === "null") throw new Error(`not an origin: "${entry}"`);
    out.push(url.origin);
  }
  return out;
}
