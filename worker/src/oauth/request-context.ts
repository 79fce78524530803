/**
 * Per-request context handed from the router to the handlers the OAuth library calls: each
 * request gets its own copy of `env` (the library caches its helpers on it), and the validated
 * configuration is attached to that copy here instead of being parsed again.
 */
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { WorkerConfig, WorkerEnv } from "../env";

/** The env the library passes to our handlers: ours, plus the helpers it injects. */
export type ProviderEnv = WorkerEnv & { OAUTH_PROVIDER?: OAuthHelpers };

const configs = new WeakMap<object, WorkerConfig>();

/** A fresh env for one request, carrying its validated configuration. */
export function requestEnv(env: WorkerEnv, config: WorkerConfig): ProviderEnv {
  const copy: ProviderEnv = { ...env };
  configs.set(copy, config);
  return copy;
}

/** The configuration attached by `requestEnv()`; throws when a handler is reached another way. */
export function configOf(env: ProviderEnv): WorkerConfig {
  const config = configs.get(env);
  if (!config) throw new Error("handler reached without a request context");
  return config;
}

/** The OAuth helpers the library injected for this request. */
export function oauthHelpersOf(env: ProviderEnv): OAuthHelpers {
  if (!env.OAUTH_PROVIDER) throw new Error("OAuth helpers missing from the request env");
  return env.OAUTH_PROVIDER;
}
