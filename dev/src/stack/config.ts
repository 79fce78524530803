/**
 * The local stack's configuration, read once from the environment and validated: the three ports,
 * where local state lives (`.dev.vars`, `.mcpbox-dev/`), the settings handed to the gateway
 * (its own variables, as `npm run gateway` reads them) and the Worker variables one may override.
 */
import path from "node:path";
import { DEFAULT_GATEWAY_PORT, GATEWAY_ENV, LOCAL_STACK_STATE, WORKER_VAR_NAMES } from "@mcpbox/shared";
import { REPO_ROOT } from "../wrangler-settings";
import { StackError } from "./errors";
import { defaultUpstreamCommand } from "./upstream";

/** Environment variables only the local stack reads (the gateway's and the Worker's keep their own names). */
export const DEV_STACK_ENV = {
  workerPort: "MCPBOX_WORKER_PORT",
  idpPort: "MCPBOX_IDP_PORT",
  /** The gateway's own port variable, shared with `npm run gateway`. */
  gatewayPort: GATEWAY_ENV.port,
  /** Folder of local state (persisted KV); default `.mcpbox-dev` at the repository root. */
  stateDir: LOCAL_STACK_STATE.dirEnv,
  /** The generated secrets file; default `.dev.vars` at the repository root (wrangler's convention). */
  devVarsFile: "MCPBOX_DEV_VARS",
} as const;

/** Default ports on 127.0.0.1: wrangler dev's Worker port, the next one for the IdP, the gateway's own. */
export const DEFAULT_DEV_PORTS = { worker: 8787, idp: 8788, gateway: DEFAULT_GATEWAY_PORT } as const;

/** Default local state locations, relative to the repository root (both git-ignored). */
const DEFAULT_DEV_STATE_DIR = LOCAL_STACK_STATE.defaultDir;
/** The development IdP's store (sessions, refresh tokens, accounts) inside the state folder. */
export const DEV_IDP_STORE_FILE = "idp-store.json";
const DEFAULT_DEV_VARS_FILE = ".dev.vars";

/** Browser origins of MCP Inspector's web UI, allowed to call /mcp directly in local development. */
export const INSPECTOR_ORIGINS = ["http://localhost:6274", "http://127.0.0.1:6274"] as const;

/** Gateway variables passed through from the environment; the stack sets the token, host and port itself. */
const GATEWAY_PASSTHROUGH = Object.values(GATEWAY_ENV).filter(
  (name) => name !== GATEWAY_ENV.serviceToken && name !== GATEWAY_ENV.host && name !== GATEWAY_ENV.port,
);

/** Worker `[vars]` one may override for local runs. */
const WORKER_VAR_PASSTHROUGH = [
  WORKER_VAR_NAMES.allowedEmails,
  WORKER_VAR_NAMES.accessTokenTtlSeconds,
  WORKER_VAR_NAMES.refreshTokenTtlSeconds,
  WORKER_VAR_NAMES.refreshTokenIdleSeconds,
  WORKER_VAR_NAMES.grantMaxAgeSeconds,
  WORKER_VAR_NAMES.accessRecheckSeconds,
] as const;

export interface StackPorts {
  readonly worker: number;
  readonly idp: number;
  readonly gateway: number;
}

export interface StackConfig {
  /** Ports on 127.0.0.1; 0 picks a free one (tests). */
  readonly ports: StackPorts;
  /** Absolute path of the local state folder. */
  readonly stateDir: string;
  /** Absolute path of the generated secrets file. */
  readonly devVarsFile: string;
  /** Gateway variables (upstream, allowlist, limits, audit log), without token, host and port. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** True when no upstream was configured and server-everything runs over stdio. */
  readonly defaultUpstream: boolean;
  /** Worker `[vars]` to set on top of wrangler.toml's. */
  readonly workerVars: Readonly<Record<string, string>>;
}

export type StackEnv = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the local stack's settings from `env` (process.env in `npm start`).
 * Relative paths resolve against the repository root. Throws StackError listing every mistake.
 */
export function loadStackConfig(env: StackEnv, root = REPO_ROOT): StackConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const port = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
      problems.push(`${name} must be a TCP port between 0 and 65535 (0 picks a free one), got "${value}"`);
      return fallback;
    }
    return Number(value);
  };
  const ports = {
    worker: port(DEV_STACK_ENV.workerPort, DEFAULT_DEV_PORTS.worker),
    idp: port(DEV_STACK_ENV.idpPort, DEFAULT_DEV_PORTS.idp),
    gateway: port(DEV_STACK_ENV.gatewayPort, DEFAULT_DEV_PORTS.gateway),
  };
  const named = (Object.entries(ports) as [keyof StackPorts, number][]).filter(([, value]) => value !== 0);
  for (const [i, [name, value]] of named.entries()) {
    const clash = named.slice(i + 1).find(([, other]) => other === value);
    if (clash) problems.push(`the ${name} and the ${clash[0]} are both set to port ${value}: give each its own (${portVariable(name)}, ${portVariable(clash[0])})`);
  }

  const gatewayEnv: Record<string, string> = {};
  for (const name of GATEWAY_PASSTHROUGH) {
    const value = read(name);
    if (value !== undefined) gatewayEnv[name] = value;
  }
  const defaultUpstream = gatewayEnv[GATEWAY_ENV.upstreamUrl] === undefined && gatewayEnv[GATEWAY_ENV.upstreamCommand] === undefined;
  if (defaultUpstream) gatewayEnv[GATEWAY_ENV.upstreamCommand] = defaultUpstreamCommand();

  const workerVars: Record<string, string> = {};
  for (const name of WORKER_VAR_PASSTHROUGH) {
    const value = read(name);
    if (value !== undefined) workerVars[name] = value;
  }
  workerVars[WORKER_VAR_NAMES.corsOrigins] = [...INSPECTOR_ORIGINS, ...(read(WORKER_VAR_NAMES.corsOrigins) ?? "").split(",")]
    .map((origin) => origin.trim())
    .filter(Boolean)
    .join(",");

  if (problems.length > 0) {
    throw new StackError("config_invalid", `invalid local stack settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return Object.freeze({
    ports: Object.freeze(ports),
    stateDir: path.resolve(root, read(DEV_STACK_ENV.stateDir) ?? DEFAULT_DEV_STATE_DIR),
    devVarsFile: path.resolve(root, read(DEV_STACK_ENV.devVarsFile) ?? DEFAULT_DEV_VARS_FILE),
    gatewayEnv: Object.freeze(gatewayEnv),
    defaultUpstream,
    workerVars: Object.freeze(workerVars),
  });
}

/** The environment variable that sets a component's port. */
function portVariable(component: keyof StackPorts): string {
  if (component === "worker") return DEV_STACK_ENV.workerPort;
  if (component === "idp") return DEV_STACK_ENV.idpPort;
  return DEV_STACK_ENV.gatewayPort;
}
