/**
 * cloudflared for `npm run connect`: found on PATH (never downloaded), its version checked against
 * what Workers VPC needs, and started as `cloudflared tunnel --no-autoupdate run` with TUNNEL_TOKEN
 * in its environment only, where `ps` does not show it. It leads its own process group, so a
 * terminal's Ctrl-C reaches only `connect`, which then stops it in order.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import {
  compareVersions,
  ENV_FILE_KEYS,
  GATEWAY_ENV,
  MIN_CLOUDFLARED_VERSION,
  parseCloudflaredVersion,
  PROVISIONER_ENV,
} from "@mcpbox/shared";

export const CLOUDFLARED_ARGS = ["tunnel", "--no-autoupdate", "run"] as const;

/** The first executable `name` on `pathVariable`, like a shell finds it; undefined when none. */
export async function findOnPath(name: string, pathVariable: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVariable ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" && (error as NodeJS.ErrnoException).code !== "EACCES") throw error;
    }
  }
  return undefined;
}

export type VersionCheck = { ok: true; version: string } | { ok: false; version: string | undefined; reason: string };

/** Runs `<bin> --version` and compares it with MIN_CLOUDFLARED_VERSION. */
export function checkCloudflaredVersion(bin: string, env: NodeJS.ProcessEnv): Promise<VersionCheck> {
  return new Promise((resolve) => {
    execFile(bin, ["--version"], { env, timeout: 10_000 }, (error, stdout) => {
      const version = parseCloudflaredVersion(String(stdout));
      if (error || !version) {
        resolve({ ok: false, version, reason: `\`${bin} --version\` did not report a version${error ? ` (${error.message})` : ""}` });
      } else if (compareVersions(version, MIN_CLOUDFLARED_VERSION) < 0) {
        resolve({
          ok: false,
          version,
          reason: `cloudflared ${version} is older than ${MIN_CLOUDFLARED_VERSION}, the first version Workers VPC works with`,
        });
      } else {
        resolve({ ok: true, version });
      }
    });
  });
}

/** cloudflared's environment: the caller's, without the gateway's and the provisioner's secrets, plus the tunnel token. */
export function cloudflaredEnv(base: NodeJS.ProcessEnv, tunnelToken: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, [ENV_FILE_KEYS.tunnelToken]: tunnelToken };
  for (const secret of [GATEWAY_ENV.serviceToken, PROVISIONER_ENV.apiToken]) delete env[secret];
  return env;
}

/** Starts `cloudflared tunnel --no-autoupdate run`; its output comes through pipes for the log. */
export function startCloudflared(bin: string, env: NodeJS.ProcessEnv, output: "pipe"): ChildProcess {
  return spawn(bin, [...CLOUDFLARED_ARGS], { env, stdio: ["ignore", output, output], detached: true });
}
