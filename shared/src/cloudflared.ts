/**
 * Facts about cloudflared shared by the provisioner (doctor) and the gateway's `npm run connect`:
 * the version Workers VPC needs, how to read `cloudflared --version`, and where to get it.
 * Pure functions only.
 */

/** Where to download cloudflared for every platform (Cloudflare's install page). */
export const CLOUDFLARED_INSTALL_URL =
  "https://developers.cloudflare.com/cloudflare-one/networks/connectors/cloudflare-tunnel/downloads/" as const;

/** `cloudflared version 2025.8.1 (built 2025-08-20-1200 UTC)` → "2025.8.1"; undefined when unreadable. */
export function parseCloudflaredVersion(output: string): string | undefined {
  return /(\d{4}\.\d+\.\d+)/.exec(output)?.[1];
}

/** Compares cloudflared's YYYY.M.P versions numerically: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
