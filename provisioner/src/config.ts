/**
 * The provisioner's environment, read once: CLOUDFLARE_API_TOKEN and CLOUDFLARE_API_BASE_URL
 * (the name wrangler uses), plus a copy of the environment for child processes with every
 * Cloudflare credential removed, so wrangler never sees the token.
 */
import { PROVISIONER_ENV } from "@mcpbox/shared";
import { DEFAULT_CLOUDFLARE_API_BASE_URL } from "./defaults";
import { UsageError } from "./errors";

export interface ProvisionerConfig {
  readonly apiToken: string | undefined;
  readonly apiBaseUrl: string;
  readonly childEnv: Readonly<Record<string, string | undefined>>;
}

/** Variables never passed on to child processes. */
const CREDENTIAL_VARIABLES = [PROVISIONER_ENV.apiToken, "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_USER_SERVICE_KEY", "CF_API_TOKEN", "CF_API_KEY"];

/** Validates the environment and returns a frozen config. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ProvisionerConfig {
  const apiToken = env[PROVISIONER_ENV.apiToken]?.trim() || undefined;
  const apiBaseUrl = (env[PROVISIONER_ENV.apiBaseUrl]?.trim() || DEFAULT_CLOUDFLARE_API_BASE_URL).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    throw new UsageError(`${PROVISIONER_ENV.apiBaseUrl} is not a URL: "${apiBaseUrl}".`, `Unset it to use ${DEFAULT_CLOUDFLARE_API_BASE_URL}.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new UsageError(`${PROVISIONER_ENV.apiBaseUrl} must be an https:// URL (http:// only for 127.0.0.1 or localhost).`, `Unset it to use ${DEFAULT_CLOUDFLARE_API_BASE_URL}.`);
  }
  const childEnv: Record<string, string | undefined> = { ...env };
  for (const name of CREDENTIAL_VARIABLES) delete childEnv[name];
  return Object.freeze({ apiToken, apiBaseUrl, childEnv: Object.freeze(childEnv) });
}

function isLoopback(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}
