/**
 * The live policy of one gateway process: the last good policy read from `MCPBOX_POLICY`, the
 * rate-limit buckets, and what the gateway has learnt of the upstream's tools (`readOnlyHint`).
 * `reload()` runs on SIGHUP and when the file changes; a file that does not read or validate
 * leaves the last good policy in force and the log says why. Sessions are never touched.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { GATEWAY_ENV } from "@mcpbox/shared";
import type { Logger } from "../logger";
import type { Policy } from "./model";
import type { parsePolicy } from "./parse";
import { RateLimiter } from "./rate-limit";

/** Thrown at start-up when the policy file cannot be used; `problems` are positioned messages. */
export class PolicyFileError extends Error {
  readonly code = "invalid_policy" as const;
  constructor(readonly problems: readonly string[]) {
    super(`${GATEWAY_ENV.policy} cannot be used:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PolicyFileError";
  }
}

// A policy is a page of rules; anything this big is a mistake (or not a policy at all).
const MAX_POLICY_BYTES = 1024 * 1024;
// Editors write a file in several steps; one reload after the last of them.
const RELOAD_SETTLE_MS = 100;
// Tools remembered from tools/list answers; a server with more is not a sensible target.
const MAX_KNOWN_TOOLS = 10_000;

type ReadResult = { ok: true; policy: Policy; digest: string } | { ok: false; problems: string[] };
type ParsePolicy = typeof parsePolicy;

function readPolicyFile(path: string, parse: ParsePolicy): ReadResult {
  let text: string;
  try {
    if (statSync(path).size > MAX_POLICY_BYTES)
      return { ok: false, problems: [`${path}: larger than ${MAX_POLICY_BYTES} bytes; a policy is a short list of rules`] };
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      ok: false,
      problems: [`${path}: cannot be read (${code}); check the path in ${GATEWAY_ENV.policy} and the file's permissions`],
    };
  }
  const parsed = parse(text, path);
  if (!parsed.ok) return { ok: false, problems: [...parsed.problems] };
  return { ok: true, policy: parsed.policy, digest: createHash("sha256").update(text).digest("hex") };
}

export interface PolicyRuntimeOptions {
  path: string;
  log: Logger;
  /** Clock for the rate limits, in milliseconds. */
  now: () => number;
}

export class PolicyRuntime {
  readonly limiter = new RateLimiter();
  readonly now: () => number;
  private policy: Policy;
  private digest: string;
  private readonly readOnly = new Map<string, boolean>();
  private watcher: FSWatcher | undefined;
  private settle: ReturnType<typeof setTimeout> | undefined;

  /**
   * Reads and validates the file; rejects with PolicyFileError listing every problem. The YAML
   * parser is loaded here, so a gateway without a policy never loads it (a smaller process costs
   * less per request too, docs/decisions.md).
   */
  static async open(options: PolicyRuntimeOptions): Promise<PolicyRuntime> {
    const { parsePolicy } = await import("./parse");
    return new PolicyRuntime(options, parsePolicy);
  }

  private constructor(
    private readonly options: PolicyRuntimeOptions,
    private readonly parse: ParsePolicy,
  ) {
    const read = readPolicyFile(options.path, parse);
    if (!read.ok) throw new PolicyFileError(read.problems);
    this.policy = read.policy;
    this.digest = read.digest;
    this.now = options.now;
  }

  /** The policy in force. Read it once per request: a reload swaps it whole. */
  get current(): Policy {
    return this.policy;
  }

  /**
   * Reads the file again. A valid file replaces the policy (rate-limit buckets and sessions stay);
   * an invalid one is logged and ignored. Returns whether the policy in force changed.
   */
  reload(why: string): boolean {
    const { path, log } = this.options;
    const read = readPolicyFile(path, this.parse);
    if (!read.ok) {
      log.error(`policy not reloaded (${why}); the last good policy stays in force:\n${read.problems.map((p) => `  - ${p}`).join("\n")}`);
      return false;
    }
    if (read.digest === this.digest) return false;
    this.policy = read.policy;
    this.digest = read.digest;
    log.info(`policy reloaded from ${path} (${why}): ${read.policy.rules.length} rules, default ${read.policy.defaultAccess}`);
    return true;
  }

  /** Reloads when the file (or its directory entry, e.g. a symlink swap) changes. */
  watch(): void {
    if (this.watcher) return;
    const { path, log } = this.options;
    try {
      // The directory, not the file: editors and config managers replace files by renaming.
      this.watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name !== null && name !== basename(path) && !name.startsWith("..")) return;
        clearTimeout(this.settle);
        this.settle = setTimeout(() => this.reload("the file changed"), RELOAD_SETTLE_MS);
        this.settle.unref();
      });
      this.watcher.on("error", (error) => log.warn(`policy file watch stopped (${error.message}); SIGHUP still reloads`));
    } catch (error) {
      log.warn(`cannot watch ${path} for changes (${(error as Error).message}); send SIGHUP to reload it`);
    }
  }

  close(): void {
    clearTimeout(this.settle);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** What the last tools/list answer said of the tool: `readOnlyHint === true`, or undefined if unseen. */
  readOnlyHint(tool: string): boolean | undefined {
    return this.readOnly.get(tool);
  }

  /** Learns the tools of a tools/list answer (MCP 2025-06-18 `Tool.annotations.readOnlyHint`). */
  learnTools(tools: readonly unknown[]): void {
    for (const tool of tools) {
      const name = (tool as { name?: unknown } | null)?.name;
      if (typeof name !== "string") continue;
      if (!this.readOnly.has(name) && this.readOnly.size >= MAX_KNOWN_TOOLS) continue;
      this.readOnly.set(name, isReadOnly(tool));
    }
  }
}

/** True only for an explicit `annotations.readOnlyHint: true`; anything else is not read-only. */
export function isReadOnly(tool: unknown): boolean {
  const annotations = (tool as { annotations?: unknown } | null)?.annotations;
  return typeof annotations === "object" && annotations !== null && (annotations as { readOnlyHint?: unknown }).readOnlyHint === true;
}
