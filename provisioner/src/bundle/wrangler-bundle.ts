/**
 * Bundles the Worker exactly as `wrangler deploy` would, without deploying: runs
 * `wrangler deploy --dry-run --outdir <tmp>` on the repository's wrangler.toml and collects the
 * module files. wrangler runs offline and quiet, and never sees the API token.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { moduleContentType } from "../cloudflare/worker-upload";
import type { WorkerModule } from "../cloudflare/types";
import { QUIET_WRANGLER_ENV } from "@mcpbox/shared";
import { BundleError } from "../errors";
import { readWranglerSettings, type RateLimitSetting } from "./wrangler-config";

export interface WorkerBundle {
  mainModule: string;
  modules: WorkerModule[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** Plain-text vars from wrangler.toml's [vars]. */
  vars: Record<string, string>;
  /** Workers Rate Limiting bindings from wrangler.toml's [[ratelimits]]. */
  rateLimits: RateLimitSetting[];
}

/** Produces the Worker bundle; injectable so tests can bundle once and reuse the result. */
export type Bundler = () => Promise<WorkerBundle>;

/** The repository root (where wrangler.toml lives), from this file's location. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DEFAULT_WRANGLER_CONFIG = path.join(REPO_ROOT, "wrangler.toml");


export interface WranglerBundlerOptions {
  configPath?: string;
  /** Base environment for the child (PATH, HOME…); secrets must already be removed. */
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}

/** A Bundler that runs wrangler's dry-run build. */
export function createWranglerBundler(options: WranglerBundlerOptions = {}): Bundler {
  const configPath = options.configPath ?? DEFAULT_WRANGLER_CONFIG;
  return async () => {
    let toml: string;
    try {
      toml = await readFile(configPath, "utf8");
    } catch {
      throw new BundleError(`Cannot read ${configPath}.`, "Run the provisioner from a checkout of the repository (wrangler.toml sits at its root).");
    }
    let settings;
    try {
      settings = readWranglerSettings(toml);
    } catch (error) {
      throw new BundleError(error instanceof Error ? error.message : String(error), "Fix the [[ratelimits]] entries in wrangler.toml.");
    }
    if (!settings.compatibilityDate) throw new BundleError(`${configPath} has no compatibility_date.`, "Add compatibility_date = \"YYYY-MM-DD\" to wrangler.toml.");
    const outDir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-bundle-"));
    try {
      await runWrangler(configPath, outDir, options);
      const modules = await collectModules(outDir);
      const mainModule = pickMainModule(modules, settings.main);
      return {
        mainModule,
        modules,
        compatibilityDate: settings.compatibilityDate,
        compatibilityFlags: settings.compatibilityFlags,
        vars: settings.vars,
        rateLimits: settings.rateLimits,
      };
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  };
}

function wranglerBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
}

async function runWrangler(configPath: string, outDir: string, options: WranglerBundlerOptions): Promise<void> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, QUIET_WRANGLER_ENV);
  const args = [wranglerBin(), "deploy", "--dry-run", "--outdir", outDir, "--config", configPath];
  const output: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: path.dirname(configPath), env, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 180_000);
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new BundleError(`Could not start wrangler: ${error.message}`));
    });
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? 1);
    });
  });
  if (code !== 0) {
    const tail = output.join("").trim().split("\n").slice(-15).join("\n");
    throw new BundleError(`wrangler could not bundle the Worker (exit code ${code}):\n${tail}`);
  }
}

/** Every uploadable module wrangler wrote; source maps and its README are left out. */
async function collectModules(outDir: string): Promise<WorkerModule[]> {
  const modules: WorkerModule[] = [];
  for (const name of (await readdir(outDir)).sort()) {
    const contentType = moduleContentType(name);
    if (!contentType || name.endsWith(".map")) continue;
    modules.push({ name, contentType, content: new Uint8Array(await readFile(path.join(outDir, name))) });
  }
  return modules;
}

function pickMainModule(modules: readonly WorkerModule[], main: string | undefined): string {
  const scripts = modules.filter((m) => m.contentType.startsWith("application/javascript"));
  if (scripts.length === 1 && scripts[0]) return scripts[0].name;
  const expected = main ? path.basename(main).replace(/\.[cm]?[jt]sx?$/, ".js") : "index.js";
  if (scripts.some((m) => m.name === expected)) return expected;
  throw new BundleError(`wrangler's output has no main module ${expected} (found: ${modules.map((m) => m.name).join(", ") || "nothing"}).`);
}
