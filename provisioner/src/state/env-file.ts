/**
 * The `--env-file` for the gateway and cloudflared (docker compose `env_file` format: KEY=VALUE
 * lines). Only the provisioner's keys are changed; every other line is kept as it was.
 */
import { readFile } from "node:fs/promises";
import { parseEnvFile } from "@mcpbox/shared";
import { writeSecretFile } from "./files";

/** Reads KEY=VALUE pairs; a missing file is empty. Surrounding quotes are removed. */
export async function readEnvFile(file: string): Promise<Map<string, string>> {
  return parseEnvFile(await readText(file));
}

/**
 * Sets `updates` in the env file, keeping every other line. Writes (atomically, mode 0600) only
 * when something changes; returns whether it did.
 */
export async function updateEnvFile(file: string, updates: Readonly<Record<string, string>>): Promise<boolean> {
  const original = await readText(file);
  const lines = original.length > 0 ? original.replace(/\r?\n$/, "").split(/\r?\n/) : [];
  const out: string[] = [];
  const written = new Set<string>();
  for (const line of lines) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (!key || !(key in updates)) out.push(line);
    // A key that appears twice keeps only its first line, so no stale value can win.
    else if (!written.has(key)) {
      out.push(`${key}=${updates[key]}`);
      written.add(key);
    }
  }
  for (const [key, value] of Object.entries(updates)) if (!written.has(key)) out.push(`${key}=${value}`);
  const next = `${out.join("\n")}\n`;
  if (next === original) return false;
  await writeSecretFile(file, next);
  return true;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}
