/**
 * The run context every step and command works with: resolved options, the Cloudflare client,
 * the state (saved atomically after every change), injectable dependencies (clock, sleep,
 * randomness, bundler, HTTP for probes, prompts, output) and facts learned during the run.
 */
import { randomBytes as nodeRandomBytes } from "node:crypto";
import path from "node:path";
import { DEFAULT_STATE_FILE } from "@mcpbox/shared";
import { DEFAULT_CLOUDFLARE_API_BASE_URL, ENV_FILE_NAME } from "../defaults";
import { createWranglerBundler, type Bundler } from "../bundle/wrangler-bundle";
import { CloudflareClient } from "../cloudflare/client";
import { InterruptedError, StateError } from "../errors";
import { localCloudflaredVersion } from "../local/cloudflared";
import { acquireLock, loadState, saveState } from "../state/files";
import { hasResource, type AllowRule, type ProvisionState, type ResourceKind, type ResourceNames } from "../state/state";
import { nonInteractivePrompter, type Prompter } from "./prompt";
import { silentReporter, type Reporter } from "./reporter";

/** What a caller (CLI or library user) asks for. Absent values come from the state, then defaults. */
export interface ProvisionOptions {
  apiToken: string;
  apiBaseUrl?: string;
  statePath?: string;
  envFile?: string;
  accountId?: string;
  tunnelName?: string;
  vpcServiceName?: string;
  workerName?: string;
  gatewayHost?: string;
  gatewayPort?: number;
  /** A gateway URL the user named (--gateway-url): doctor and rotation may send the service token there. */
  gatewayUrl?: string;
  allow?: AllowRule;
  /** Extra browser origins for the Worker's CORS_ORIGINS (kept in the state once given). */
  corsOrigins?: string[];
  /** Lifetime of the Worker's OAuth access tokens, ACCESS_TOKEN_TTL_SECONDS (kept in the state once given). */
  accessTokenTtlSeconds?: number;
  /** No prompts: fail with a message naming the flag instead. */
  yes?: boolean;
  /** Take over same-named resources the state does not know. */
  adopt?: boolean;
  /** Check the Worker over HTTP after setup (default true; --no-verify turns it off). */
  verify?: boolean;
}

export interface RunDeps {
  reporter: Reporter;
  prompter: Prompter;
  bundler: Bundler;
  /** HTTP for the Worker and gateway checks (not the API). */
  http: typeof fetch;
  /** Transport for API calls (default: global fetch). */
  apiFetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  random: () => number;
  randomBytes: (size: number) => Buffer;
  signal: AbortSignal | undefined;
  /** How many times, and how far apart, to check a freshly deployed Worker. */
  workerPollAttempts: number;
  workerPollIntervalMs: number;
  /** Environment for child processes (wrangler), secrets removed. */
  childEnv: Readonly<Record<string, string | undefined>>;
  /** Version of the cloudflared installed on this machine, if any (doctor). */
  cloudflaredVersion: () => Promise<string | undefined>;
}

export interface ResolvedOptions {
  statePath: string;
  /** `--env-file`, by default gateway.env next to the state file. */
  envFile: string;
  accountId: string | undefined;
  names: ResourceNames;
  gateway: { host: string; port: number };
  gatewayUrl: string | undefined;
  allow: AllowRule | undefined;
  corsOrigins: string[] | undefined;
  accessTokenTtlSeconds: number | undefined;
  yes: boolean;
  adopt: boolean;
  verify: boolean;
}

/** Things learned during a run that are not worth keeping in the state. */
export interface RunFacts {
  tokenOwner?: "user" | "account";
  workersSubdomain?: string;
  authDomain?: string;
  /** Who may sign in, resolved in step 1 before anything is written. */
  allow?: AllowRule;
  /**
   * The run ends before the Access step (the web wizard's screens 1-4): who may sign in is not
   * asked, because the page asks it on its Access screen.
   */
  stopsBeforeAccess?: boolean;
  /** Kinds whose name step 1 found free; their steps need not look them up again. */
  nameFree?: Set<ResourceKind>;
}

export interface RunContext {
  readonly options: ResolvedOptions;
  readonly deps: RunDeps;
  readonly cf: CloudflareClient;
  state: ProvisionState;
  readonly stateExisted: boolean;
  readonly facts: RunFacts;
  /** Saves the state atomically (mode 0600). */
  save(): Promise<void>;
  /** Throws InterruptedError once Ctrl-C was pressed. */
  checkAbort(): void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fills in defaults for everything a caller did not inject. */
export function defaultDeps(overrides: Partial<RunDeps> = {}): RunDeps {
  const childEnv = overrides.childEnv ?? {};
  return {
    reporter: silentReporter,
    prompter: nonInteractivePrompter,
    bundler: overrides.bundler ?? createWranglerBundler({ env: childEnv }),
    http: globalThis.fetch,
    apiFetch: globalThis.fetch,
    sleep: realSleep,
    now: () => new Date(),
    random: Math.random,
    randomBytes: nodeRandomBytes,
    signal: undefined,
    workerPollAttempts: 40,
    workerPollIntervalMs: 3_000,
    cloudflaredVersion: localCloudflaredVersion,
    ...overrides,
    childEnv,
  };
}

/** Loads the state, resolves options against it, and (for commands that write) takes the lock. */
export async function openContext(
  options: ProvisionOptions,
  overrides: Partial<RunDeps>,
  mode: { lock: boolean },
): Promise<{ ctx: RunContext; release: () => Promise<void> }> {
  const deps = defaultDeps(overrides);
  const statePath = options.statePath ?? DEFAULT_STATE_FILE;
  const release = mode.lock ? await acquireLock(statePath) : async () => {};
  try {
    const { state, existed } = await loadState(statePath);
    // The state file is rewritten only when its content changes, so a no-op run touches nothing.
    let lastSaved = existed ? snapshot(state) : "";
    const resolved = resolveOptions(options, state, statePath);
    state.names = resolved.names;
    state.gateway = resolved.gateway;
    const checkAbort = () => {
      if (deps.signal?.aborted) throw new InterruptedError(statePath);
    };
    const cf = new CloudflareClient({
      apiToken: options.apiToken,
      baseUrl: options.apiBaseUrl ?? DEFAULT_CLOUDFLARE_API_BASE_URL,
      fetch: deps.apiFetch,
      sleep: deps.sleep,
      random: deps.random,
      now: () => deps.now().getTime(),
      checkAbort,
    });
    const ctx: RunContext = {
      options: resolved,
      deps,
      cf,
      state,
      stateExisted: existed,
      facts: {},
      save: async () => {
        const next = snapshot(ctx.state);
        if (next === lastSaved) return;
        await saveState(statePath, ctx.state, deps.now());
        lastSaved = next;
      },
      checkAbort,
    };
    return { ctx, release };
  } catch (error) {
    await release();
    throw error;
  }
}

function snapshot(state: ProvisionState): string {
  const { updatedAt: _updatedAt, ...rest } = state;
  return JSON.stringify(rest);
}

/**
 * The env file when `--env-file` is not given: gateway.env next to the state file, so
 * `.mcpbox/gateway.env` by default (where compose.yaml and `npm run connect` read it). The CLI and
 * the web wizard both resolve it here.
 */
export function defaultEnvFile(statePath: string): string {
  return path.join(path.dirname(statePath), ENV_FILE_NAME);
}

/** The resources each name is given to (the KV namespace and the Access app derive from the Worker's). */
const NAMED_KINDS: Record<keyof ResourceNames, readonly ResourceKind[]> = {
  tunnel: ["tunnel"],
  vpcService: ["vpcService"],
  worker: ["kvNamespace", "worker", "accessApp"],
};

function resolveOptions(options: ProvisionOptions, state: ProvisionState, statePath: string): ResolvedOptions {
  const flags: Record<keyof ResourceNames, [string | undefined, string]> = {
    tunnel: [options.tunnelName, "--tunnel-name"],
    vpcService: [options.vpcServiceName, "--vpc-service-name"],
    worker: [options.workerName, "--worker-name"],
  };
  const names = { ...state.names };
  for (const key of Object.keys(flags) as Array<keyof ResourceNames>) {
    const [value, flag] = flags[key];
    if (value === undefined || value === state.names[key]) continue;
    // A name may still change while nothing named after it exists (the web wizard asks for each
    // name on its own screen); once a resource carries it, another name means another setup.
    if (NAMED_KINDS[key].some((kind) => hasResource(state, kind))) {
      throw new StateError(
        `${statePath} belongs to a setup whose ${flag.slice(2)} is "${state.names[key]}", not "${value}".`,
        `Drop ${flag} to keep working on that setup, or pass another --state file for a second setup.`,
      );
    }
    names[key] = value;
  }
  return {
    statePath,
    envFile: options.envFile ?? defaultEnvFile(statePath),
    accountId: options.accountId,
    names,
    gateway: { host: options.gatewayHost ?? state.gateway.host, port: options.gatewayPort ?? state.gateway.port },
    gatewayUrl: options.gatewayUrl,
    allow: options.allow,
    corsOrigins: options.corsOrigins,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    yes: options.yes ?? false,
    adopt: options.adopt ?? false,
    verify: options.verify ?? true,
  };
}
