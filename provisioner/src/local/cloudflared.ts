/**
 * The cloudflared on this machine, if any: its version decides whether Workers VPC can work
 * (MIN_CLOUDFLARED_VERSION, QUIC transport). Also the version comparison doctor uses for the
 * versions the API reports for connected connectors.
 */
import { execFile } from "node:child_process";

/** `cloudflared --version` → "2025.8.1"; undefined when cloudflared is not installed here. */
export function localCloudflaredVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("cloudflared", ["--version"], { timeout: 5_000 }, (error, stdout) => {
      if (error) {
        resolve(undefined);
        return;
      }
      resolve(/(\d{4}\.\d+\.\d+)/.exec(stdout)?.[1]);
    });
  });
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
