/**
 * The compiled shape of a per-user tool policy (`MCPBOX_POLICY`): who a rule applies to, what it
 * allows or denies (tools, prompts, resources), rate limits, and the default for everyone no
 * allow rule names. Produced by parse.ts, read by decide.ts; immutable once built.
 */
import type { Glob } from "./glob";

/** What a JSON-RPC message acts on: a tool or prompt by name, a resource by URI. */
export type TargetKind = "tool" | "prompt" | "resource";

export interface Target {
  readonly kind: TargetKind;
  /** Tool or prompt name, or resource URI (for templates: the URI template). */
  readonly name: string;
}

/**
 * One category of an allow or deny section: name/URI patterns, or (tools in an allow section
 * only) the `read-only` keyword, which matches tools whose `tools/list` annotations say
 * `readOnlyHint: true` (MCP 2025-06-18, schema `ToolAnnotations`).
 */
export type Selector = { readonly kind: "patterns"; readonly patterns: readonly Glob[] } | { readonly kind: "read-only" };

/** What a section covers; a missing category covers nothing. */
export interface Access {
  readonly tools?: Selector;
  readonly prompts?: Selector;
  readonly resources?: Selector;
}

/** Requests per minute per identity, with a burst (token bucket: capacity `burst`). */
export interface RateLimit {
  readonly requestsPerMinute: number;
  readonly burst: number;
}

/** Who a rule names: every verified email, exact addresses, or whole domains (lower-cased). */
export interface Audience {
  readonly everyone: boolean;
  readonly emails: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
}

export interface Rule {
  readonly name: string;
  /** 1-based line of the rule in the policy file, for logs. */
  readonly line: number;
  readonly users: Audience;
  /** OAuth client ids (`X-MCPbox-Client-Id`) the rule is limited to; null: any client. */
  readonly clients: ReadonlySet<string> | null;
  readonly allow: Access | null;
  readonly deny: Access | null;
  /** `null`: the rule says nothing; `"off"`: exempts its users from the rate limit. */
  readonly rateLimit: RateLimit | "off" | null;
}

/** What happens for a user no applicable rule with an `allow` section names. */
export type DefaultAccess = "allow" | "deny" | "read-only";

export interface Policy {
  readonly rules: readonly Rule[];
  readonly defaultAccess: DefaultAccess;
  /** Applies to each identity separately unless a rule of theirs says otherwise. */
  readonly rateLimit: RateLimit | null;
  /** True when some rule or the default uses `read-only`: tools/list results must be learnt. */
  readonly usesReadOnly: boolean;
}

/** The name under which the default shows in refusals and the audit log. */
export const DEFAULT_RULE_NAME = "default";

/** The name under which the policy-wide rate limit shows in refusals and the audit log. */
export const POLICY_RATE_LIMIT_NAME = "rate_limit";
