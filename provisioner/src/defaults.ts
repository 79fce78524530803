/**
 * The provisioner's own defaults: the Cloudflare API base, the names of what it creates, where it
 * keeps the env file, and the Remote Access wizard's port and the variable that moves it.
 */

export const DEFAULT_CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4" as const;

/** `--tunnel-name`, `--vpc-service-name`, `--worker-name` unless given. */
export const DEFAULT_RESOURCE_NAMES = {
  tunnel: "mcpbox-tunnel",
  vpcService: "mcpbox-service",
  worker: "mcpbox-proxy",
} as const;

/** The env file for the gateway and cloudflared: kept next to the state file, under this name. */
export const ENV_FILE_NAME = "gateway.env" as const;

/** Environment variables the Remote Access wizard (`npm run wizard`) reads. */
export const WIZARD_ENV = {
  port: "MCPBOX_WIZARD_PORT",
} as const;

/** The Remote Access wizard's port on 127.0.0.1 unless MCPBOX_WIZARD_PORT says otherwise. */
export const DEFAULT_WIZARD_PORT = 3000 as const;
