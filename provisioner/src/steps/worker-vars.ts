/**
 * The Worker's plain-text variables, owned by the provisioner: the gateway's address behind the
 * tunnel, ALLOWED_EMAILS from --allow, and CORS_ORIGINS and ACCESS_TOKEN_TTL_SECONDS from their
 * flags, recorded in the state so every later upload sends them again as they were set. The empty
 * defaults in wrangler.toml are for local development and never reach a deployed Worker.
 */
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, WORKER_VAR_NAMES } from "@mcpbox/shared";
import { emailAllowlistFor } from "../allow";
import type { RunContext } from "../run/context";
import { runAllow } from "./who-may-sign-in";

/** The variables set here; the rest of wrangler.toml's [vars] (grant lifetimes…) go up as written there. */
const OWNED = new Set<string>([
  WORKER_VAR_NAMES.gatewayTargetHost,
  WORKER_VAR_NAMES.gatewayTargetPort,
  WORKER_VAR_NAMES.allowedEmails,
  WORKER_VAR_NAMES.corsOrigins,
  WORKER_VAR_NAMES.accessTokenTtlSeconds,
]);

/** Records flag values in the state (a flag given once stays in force), then returns every variable to upload. */
export function workerVars(ctx: RunContext, bundleVars: Readonly<Record<string, string>>): Record<string, string> {
  const { corsOrigins, accessTokenTtlSeconds } = ctx.options;
  const allow = runAllow(ctx);
  if (corsOrigins !== undefined || accessTokenTtlSeconds !== undefined) {
    const recorded = (ctx.state.workerVars ??= {});
    if (corsOrigins !== undefined) recorded.corsOrigins = corsOrigins.join(",");
    if (accessTokenTtlSeconds !== undefined) recorded.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }
  // Settings wrangler.toml adds later pass through when they carry a value; ours are never taken from it.
  const passThrough = Object.fromEntries(Object.entries(bundleVars).filter(([key, value]) => !OWNED.has(key) && value !== ""));
  return {
    ...passThrough,
    [WORKER_VAR_NAMES.gatewayTargetHost]: ctx.options.gateway.host,
    [WORKER_VAR_NAMES.gatewayTargetPort]: String(ctx.options.gateway.port),
    // No rule yet only before the Access step, which sets it here before it pushes the secrets.
    [WORKER_VAR_NAMES.allowedEmails]: allow ? emailAllowlistFor(allow) : "",
    [WORKER_VAR_NAMES.corsOrigins]: ctx.state.workerVars?.corsOrigins ?? "",
    [WORKER_VAR_NAMES.accessTokenTtlSeconds]: String(ctx.state.workerVars?.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS),
  };
}
