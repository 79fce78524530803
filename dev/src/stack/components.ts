/**
 * The three processes of the local path, each started the way production runs it: the
 * development IdP (playing Cloudflare Access for SaaS), the real gateway configured through its
 * own loadConfig(), and the real Worker bundle in Miniflare with MCPBOX_TUNNEL bound to the gateway.
 */
import path from "node:path";
import { GATEWAY_ENV, LOCAL_STACK_STATE, WORKER_PATHS, WORKER_VAR_NAMES, type WorkerSecretName } from "@mcpbox/shared";
import { ConfigError, loadConfig, startGateway, type AuditSink, type GatewayHandle, type Logger } from "@mcpbox/gateway";
import { startDevIdp, type DevIdp } from "../idp/index";
import { startWorkerInMiniflare, type RunningWorker, type WorkerBundle } from "../worker-miniflare";
import type { StackConfig } from "./config";
import { StackError } from "./errors";
import type { StackLog } from "./log";
import { portError, type PortClaim } from "./ports";

/** Exact redirect URIs the IdP accepts for a Worker on `port` (both loopback spellings). */
export function workerCallbackUris(port: number): string[] {
  return [`http://127.0.0.1:${port}${WORKER_PATHS.callback}`, `http://localhost:${port}${WORKER_PATHS.callback}`];
}

/** Starts the development IdP; a taken port becomes a StackError naming its variable. */
export async function startIdpComponent(input: {
  port: number;
  clientId: string;
  clientSecret: string;
  /** The Worker's /callback URLs (empty until the Worker's port is known). */
  redirectUris: readonly string[];
  /** Where sessions, grants, refresh tokens and accounts are kept across restarts. */
  storeFile: string;
  claim: PortClaim;
}): Promise<DevIdp> {
  try {
    return await startDevIdp({
      port: input.port,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      redirectUris: input.redirectUris,
      storeFile: input.storeFile,
    });
  } catch (error) {
    throw portError(input.claim, error as NodeJS.ErrnoException);
  }
}

/** The gateway's diagnostics as stack log lines. */
function gatewayLogger(log: StackLog): Logger {
  return {
    info: (message) => log("gateway", "info", message),
    warn: (message) => log("gateway", "warn", message),
    error: (message) => log("gateway", "error", message),
  };
}

/**
 * Starts the gateway from the stack's gateway variables through the gateway's own loadConfig(),
 * on 127.0.0.1 with the generated service token; its configuration mistakes become a StackError.
 */
export async function startGatewayComponent(input: {
  config: StackConfig;
  port: number;
  serviceToken: string;
  log: StackLog;
  auditSink?: AuditSink;
  claim: PortClaim;
}): Promise<GatewayHandle> {
  let gatewayConfig;
  try {
    gatewayConfig = loadConfig({
      ...input.config.gatewayEnv,
      [GATEWAY_ENV.serviceToken]: input.serviceToken,
      [GATEWAY_ENV.host]: "127.0.0.1",
      [GATEWAY_ENV.port]: String(input.port),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new StackError("config_invalid", error.message, { cause: error });
    throw error;
  }
  // The audit log goes where MCPBOX_AUDIT_LOG says; without it, into the stack's output.
  const auditSink = input.auditSink ?? (gatewayConfig.auditLogPath ? undefined : (line: string) => input.log("audit", "info", line.trimEnd()));
  try {
    return await startGateway(gatewayConfig, { log: gatewayLogger(input.log), ...(auditSink ? { auditSink } : {}) });
  } catch (error) {
    throw portError(input.claim, error as NodeJS.ErrnoException);
  }
}

/** Starts the Worker bundle in Miniflare with every secret, MCPBOX_TUNNEL bound to the gateway. */
export async function startWorkerComponent(input: {
  config: StackConfig;
  bundle: Pick<WorkerBundle, "entry">;
  secrets: Record<WorkerSecretName, string>;
  gatewayPort: number;
  port: number;
  log: StackLog;
}): Promise<RunningWorker> {
  try {
    return await startWorkerInMiniflare({
      bundle: input.bundle,
      secrets: input.secrets,
      vars: { ...input.config.workerVars, [WORKER_VAR_NAMES.gatewayTargetPort]: String(input.gatewayPort) },
      tunnelAddress: `127.0.0.1:${input.gatewayPort}`,
      // Clients reach the Worker on a direct socket, as at Cloudflare's edge: no Miniflare entry
      // worker in front of it (about 1 ms per request on loopback; see docs/benchmarks.md).
      // Miniflare's own entry socket still exists, on a free port, for dispatchFetch().
      port: 0,
      directPort: input.port,
      kvPersistDir: path.join(input.config.stateDir, LOCAL_STACK_STATE.workerStorage),
      onLog: (level, message) => input.log("worker", level === "error" ? "error" : level === "warn" ? "warn" : "info", message.trimEnd()),
    });
  } catch (error) {
    throw new StackError("component_failed", `the Worker did not start in Miniflare: ${(error as Error).message}`, { cause: error });
  }
}
