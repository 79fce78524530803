/**
 * Keeps worker/worker-configuration.d.ts (the committed `wrangler types` output) in step with
 * wrangler.toml and the installed workerd. Without flags it regenerates the file; with `--check`
 * it generates a fresh copy next to it and exits 1 when the two differ (`wrangler types --check`
 * compares only a hash in the header, so it misses hand edits and flag changes).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "@mcpbox/dev/wrangler-settings";
import { QUIET_WRANGLER_ENV } from "@mcpbox/shared";

const TARGET = "worker/worker-configuration.d.ts";
const CHECK_COPY = "worker/.worker-configuration.check.d.ts";

function generate(output: string): void {
  const wrangler = path.join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const result = spawnSync(process.execPath, [wrangler, "types", output, "--strict-vars=false", "--config", "wrangler.toml"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...QUIET_WRANGLER_ENV },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
}

if (!process.argv.includes("--check")) {
  generate(TARGET);
  console.log(`wrote ${TARGET}`);
} else {
  try {
    generate(CHECK_COPY);
    const fresh = readFileSync(path.join(REPO_ROOT, CHECK_COPY), "utf8").replaceAll(CHECK_COPY, TARGET);
    const committed = readFileSync(path.join(REPO_ROOT, TARGET), "utf8");
    if (fresh !== committed) {
      const freshLines = fresh.split("\n");
      const committedLines = committed.split("\n");
      const line = freshLines.findIndex((text, index) => text !== committedLines[index]);
      console.error(`${TARGET} is out of date (first difference at line ${line + 1}). Run \`npm run types -w @mcpbox/worker\` and commit the result.`);
      process.exit(1);
    }
    console.log(`${TARGET} is up to date`);
  } finally {
    rmSync(path.join(REPO_ROOT, CHECK_COPY), { force: true });
  }
}
