/**
 * A stand-in `cloudflared` for `npm run connect` tests: a small executable script, written into a
 * folder the test puts first on PATH. `--version` prints the version it was given; `tunnel … run`
 * records its argv, the secrets in its environment and its pid, prints cloudflared's "Registered
 * tunnel connection" log line, then runs until the test cues an exit (a file) or signals it.
 */
import { existsSync, readFileSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";

export interface StandInRun {
  argv: string[];
  env: { TUNNEL_TOKEN: string | null; MCPBOX_SERVICE_TOKEN: string | null; CLOUDFLARE_API_TOKEN: string | null };
  pid: number;
}

export interface CloudflaredStandIn {
  dir: string;
  /** Every `tunnel run` so far, in order. */
  runs(): StandInRun[];
  /** Signals the stand-in received. */
  signals(): string[];
  /** Makes the running stand-in exit with status 3. */
  cueExit(): Promise<void>;
}

export async function writeCloudflaredStandIn(dir: string, version: string): Promise<CloudflaredStandIn> {
  const record = path.join(dir, "runs.jsonl");
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const record = ${JSON.stringify(record)};
if (process.argv.includes("--version")) {
  process.stdout.write("cloudflared version ${version} (built 2026-08-20-1054 UTC)\\n");
  process.exit(0);
}
process.on("SIGTERM", () => { fs.appendFileSync(record + ".signals", "SIGTERM\\n"); process.exit(0); });
const env = { TUNNEL_TOKEN: process.env.TUNNEL_TOKEN ?? null, MCPBOX_SERVICE_TOKEN: process.env.MCPBOX_SERVICE_TOKEN ?? null, CLOUDFLARE_API_TOKEN: process.env.CLOUDFLARE_API_TOKEN ?? null };
fs.appendFileSync(record, JSON.stringify({ argv: process.argv.slice(2), env, pid: process.pid }) + "\\n");
process.stderr.write("2026-11-27T00:00:00Z INF Registered tunnel connection connIndex=0 connection=0c4f event=0 ip=198.41.200.13 location=fra08 protocol=quic\\n");
setInterval(() => {
  if (fs.existsSync(record + ".exit")) { fs.rmSync(record + ".exit"); process.exit(3); }
}, 20);
`;
  const bin = path.join(dir, "cloudflared");
  await writeFile(bin, script);
  await chmod(bin, 0o755);
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
  return {
    dir,
    runs: () => lines(record).map((l) => JSON.parse(l) as StandInRun),
    signals: () => lines(`${record}.signals`),
    cueExit: () => writeFile(`${record}.exit`, ""),
  };
}

/** Polls `check` until it returns a value (no fixed sleeps in assertions; bounded so a failure ends). */
export async function eventually<T>(check: () => T | undefined | false, what: string, limitMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
