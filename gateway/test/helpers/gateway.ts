/**
 * Starts the real gateway for a test: configuration through loadConfig() from environment-style
 * variables (the same path `npm run gateway` takes), 127.0.0.1 on port 0, audit lines collected
 * in memory, diagnostics collected instead of printed.
 */
import { randomBytes } from "node:crypto";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { loadConfig, startGateway } from "../../src/index";
import type { GatewayHandle, Logger } from "../../src/index";

/** A fresh service token per test run, as the provisioner would make one. */
export const SERVICE_TOKEN = randomBytes(32).toString("hex");

export interface TestGateway extends GatewayHandle {
  readonly auditLines: string[];
  readonly logLines: string[];
  /** Resolves once at least `count` audit lines were written. */
  waitForAudit(count: number): Promise<string[]>;
  /** Headers the Worker would send: the service token, and the email when given. */
  headers(email?: string): Record<string, string>;
}

export async function startTestGateway(
  env: Record<string, string | undefined>,
  options: { now?: () => number } = {},
): Promise<TestGateway> {
  const auditLines: string[] = [];
  const logLines: string[] = [];
  const waiters: { count: number; resolve: (lines: string[]) => void }[] = [];
  const log: Logger = {
    info: (m) => logLines.push(m),
    warn: (m) => logLines.push(m),
    error: (m) => logLines.push(m),
  };
  const config = loadConfig({
    [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
    [GATEWAY_ENV.host]: "127.0.0.1",
    [GATEWAY_ENV.port]: "0",
    ...env,
  });
  const handle = await startGateway(config, {
    log,
    now: options.now,
    auditSink: (line) => {
      auditLines.push(line);
      for (const waiter of [...waiters]) {
        if (auditLines.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(auditLines);
        }
      }
    },
  });
  return {
    url: handle.url,
    port: handle.port,
    upstream: handle.upstream,
    reloadPolicy: handle.reloadPolicy,
    close: handle.close,
    auditLines,
    logLines,
    waitForAudit: (count) =>
      auditLines.length >= count ? Promise.resolve(auditLines) : new Promise((resolve) => waiters.push({ count, resolve })),
    headers: (email) => ({
      [MCPBOX_HEADERS.serviceToken]: SERVICE_TOKEN,
      ...(email ? { [MCPBOX_HEADERS.userEmail]: email } : {}),
    }),
  };
}

/** Headers of a well-formed MCP POST, as an SDK client sends them. */
export const MCP_POST_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
} as const;

export function initializeBody(id: number | string = 1, protocolVersion = "2025-06-18"): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "gateway-test", version: "1.0.0" } },
  });
}

export function toolCallBody(name: string, args: Record<string, unknown>, id: number | string = 2): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}
