/**
 * Origin lists as every package writes them: the Worker's `CORS_ORIGINS`, the gateway's
 * `GATEWAY_ALLOWED_ORIGINS` and the provisioner's `--cors-origins`.
 */

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
