/**
 * The cloudflared on this machine, if any: its version decides whether Workers VPC can work
 * (MIN_CLOUDFLARED_VERSION, QUIC transport). doctor compares it with the connectors' versions.
 */
import { execFile } from "node:child_process";
import { parseCloudflaredVersion } from "@mcpbox/shared";

/** `cloudflared --version` → "2025.8.1"; undefined when cloudflared is not installed here. */
export function localCloudflaredVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("cloudflared", ["--version"], { timeout: 5_000 }, (error, stdout) => {
      resolve(error ? undefined : parseCloudflaredVersion(stdout));
    });
  });
}
