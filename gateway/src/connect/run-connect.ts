/**
 * `npm run connect`: the home side without Docker. Reads the env file the provisioner wrote, runs
 * the gateway in this process (loopback by default) and cloudflared from PATH with TUNNEL_TOKEN in
 * its environment, restarting cloudflared with backoff; one status line per part; stops both when
 * `signal` aborts (Ctrl-C). Without cloudflared it says how to install it and runs the gateway.
 */
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CLOUDFLARED_INSTALL_URL, ENV_FILE_KEYS, GATEWAY_ENV, MIN_CLOUDFLARED_VERSION, parseEnvFile } from "@mcpbox/shared";
import { ConfigError, loadConfig } from "../config";
import type { Logger } from "../logger";
import { startGateway } from "../server";
import { defaultUpstreamCommand } from "../upstream/default-command";
import { checkCloudflaredVersion, cloudflaredEnv, findOnPath } from "./cloudflared";
import { gatewayAddressAdvice } from "./state-file";
import { superviseCloudflared, type Supervisor } from "./supervisor";

export type Part = "connect" | "gateway" | "cloudflared";

export interface ConnectOptions {
  envFile: string;
  /** The provisioner's state file; its gateway address says whether cloudflared here can reach us. */
  statePath: string;
  /** The environment `connect` runs in (PATH finds cloudflared). */
  env: NodeJS.ProcessEnv;
  status: (part: Part, text: string) => void;
  /** Aborted on the first Ctrl-C: stop both in order. */
  signal: AbortSignal;
  /** Aborted on a second Ctrl-C: stop at once. */
  force?: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** Runs until `signal` aborts; resolves with the exit code. */
export async function runConnect(options: ConnectOptions): Promise<number> {
  const { status } = options;
  let fileText: string;
  try {
    fileText = await readFile(options.envFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    status(
      "connect",
      `${options.envFile} does not exist: run \`npm run provision -- setup\` first (it writes the tokens there), or pass --env-file.`,
    );
    return 1;
  }
  const fromFile = parseEnvFile(fileText);
  const folder = path.dirname(options.envFile);

  const gatewayEnv = gatewayEnvironment(options.env, fromFile, folder, await gatewayAddressAdvice(options.statePath));
  let config;
  try {
    config = loadConfig(gatewayEnv.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) status("gateway", `cannot start: ${problem}`);
    return 1;
  }
  const log: Logger = {
    info: (m) => status("gateway", m),
    warn: (m) => status("gateway", `warning: ${m}`),
    error: (m) => status("gateway", `error: ${m}`),
  };
  const gateway = await startGateway(config, { log });
  status("gateway", `ready: ${gateway.url} (upstream: ${gateway.upstream.description}; audit log: ${config.auditLogPath ?? "stdout"})`);
  if (gatewayEnv.advice) status("gateway", gatewayEnv.advice);

  const supervisor = await startTunnel(options, fromFile.get(ENV_FILE_KEYS.tunnelToken), folder);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  status("connect", "stopping cloudflared and the gateway");
  const force = options.force?.aborted ?? false;
  const stopped = supervisor?.stop(force);
  options.force?.addEventListener("abort", () => void supervisor?.stop(true), { once: true });
  await Promise.all([stopped, gateway.close()]);
  status("connect", "stopped");
  return 0;
}

/** The gateway's variables: the caller's, then the env file's (without the tunnel token), then connect's defaults. */
function gatewayEnvironment(
  base: NodeJS.ProcessEnv,
  fromFile: Map<string, string>,
  folder: string,
  address: { port?: number; advice?: string },
) {
  const env: Record<string, string | undefined> = { ...base, ...Object.fromEntries(fromFile) };
  delete env[ENV_FILE_KEYS.tunnelToken];
  if (!env[GATEWAY_ENV.port] && address.port !== undefined) env[GATEWAY_ENV.port] = String(address.port);
  if (!env[GATEWAY_ENV.upstreamUrl]?.trim() && !env[GATEWAY_ENV.upstreamCommand]?.trim())
    env[GATEWAY_ENV.upstreamCommand] = defaultUpstreamCommand();
  // Audit lines go to a file next to the env file, so the terminal keeps its status lines.
  if (!env[GATEWAY_ENV.auditLog]) env[GATEWAY_ENV.auditLog] = path.join(folder, "audit.log");
  return { env, advice: address.advice };
}

/** Starts the cloudflared supervisor, or says why it cannot run (the gateway runs regardless). */
async function startTunnel(options: ConnectOptions, token: string | undefined, folder: string): Promise<Supervisor | undefined> {
  const say = (text: string) => options.status("cloudflared", text);
  if (!token) {
    say(`not started: ${options.envFile} has no ${ENV_FILE_KEYS.tunnelToken}; run \`npm run provision -- setup\` to fetch it.`);
    return undefined;
  }
  const bin = await findOnPath("cloudflared", options.env.PATH);
  if (!bin) {
    say(
      `not found on PATH: install cloudflared ${MIN_CLOUDFLARED_VERSION} or newer (${CLOUDFLARED_INSTALL_URL}), then run \`npm run connect\` again. The gateway runs meanwhile.`,
    );
    return undefined;
  }
  const env = cloudflaredEnv(options.env, token);
  const version = await checkCloudflaredVersion(bin, env);
  if (!version.ok) {
    say(
      `not started: ${version.reason}. Install a newer one (${CLOUDFLARED_INSTALL_URL}), then run \`npm run connect\` again. The gateway runs meanwhile.`,
    );
    return undefined;
  }
  const logPath = path.join(folder, "cloudflared.log");
  return superviseCloudflared({
    bin,
    version: version.version,
    env,
    log: createWriteStream(logPath, { flags: "a", mode: 0o600 }),
    logPath,
    status: say,
    sleep: options.sleep ?? abortableSleep,
    now: options.now ?? Date.now,
  });
}
