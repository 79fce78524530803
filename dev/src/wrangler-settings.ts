/**
 * The Worker's runtime settings as wrangler.toml declares them (compatibility date and flags,
 * `[vars]`), for everything that runs the Worker outside wrangler: the workerd tests' config and
 * Miniflare. Imports nothing from the workspace (not even @mcpbox/shared): the worker's vitest
 * config imports it as `@mcpbox/dev/wrangler-settings`, which Node loads without a bundler.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig } from "wrangler";

/** The repository root (this file lives in `dev/src/`). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The Worker's wrangler configuration. */
export const WRANGLER_CONFIG = path.join(REPO_ROOT, "wrangler.toml");

export interface WorkerSettings {
  name: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** `[vars]` from wrangler.toml, as strings. */
  vars: Record<string, string>;
  /** `[[ratelimits]]` bindings, in Miniflare's `ratelimits` shape (Miniflare runs them locally). */
  ratelimits: Record<string, { namespace_id: string; simple: { limit: number; period: 10 | 60 } }>;
}

/** The runtime settings wrangler.toml declares for the Worker. */
export function readWorkerSettings(configPath = WRANGLER_CONFIG): WorkerSettings {
  const { rawConfig } = experimental_readRawConfig({ config: configPath });
  if (!rawConfig.compatibility_date) throw new Error(`${configPath}: compatibility_date is missing`);
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawConfig.vars ?? {})) vars[name] = typeof value === "string" ? value : JSON.stringify(value);
  const ratelimits: WorkerSettings["ratelimits"] = {};
  for (const { name, namespace_id, simple } of rawConfig.ratelimits ?? []) {
    if (simple.period !== 10 && simple.period !== 60) throw new Error(`${configPath}: ratelimits "${name}" needs a period of 10 or 60`);
    ratelimits[name] = { namespace_id, simple: { limit: simple.limit, period: simple.period } };
  }
  return {
    name: rawConfig.name ?? "worker",
    compatibilityDate: rawConfig.compatibility_date,
    compatibilityFlags: rawConfig.compatibility_flags ?? [],
    vars,
    ratelimits,
  };
}
