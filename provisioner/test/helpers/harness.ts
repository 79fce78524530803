/**
 * Test harness: a fake Cloudflare account with a full-permission token, a temp folder for the
 * state and env files, recorded output and sleeps, and the injectable dependencies (a fixed
 * Worker bundle, the fake edge for Worker checks, a no-wait sleep).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@mcpbox/dev/test-kit/node";
import { afterEach, beforeEach, expect } from "vitest";
import type { Bundler, WorkerBundle } from "../../src/bundle/wrangler-bundle";
import type { ProvisionOptions, RunDeps } from "../../src/run/context";
import type { Prompter } from "../../src/run/prompt";
import { createReporter } from "../../src/run/reporter";
import { edgeFetch, startFakeCloudflare, type FakeAccount, type FakeCloudflare } from "./fake-cloudflare";

/** A small but real ES module Worker, standing in for the wrangler bundle in fast tests. */
export const FIXTURE_MODULE = 'export default { async fetch() { return Response.json({ status: "ok" }); } };\n';

export function fixtureBundle(source = FIXTURE_MODULE): WorkerBundle {
  return {
    mainModule: "index.js",
    modules: [{ name: "index.js", contentType: "application/javascript+module", content: new TextEncoder().encode(source) }],
    compatibilityDate: "2026-08-01",
    compatibilityFlags: ["nodejs_compat"],
    vars: { GATEWAY_TARGET_HOST: "mcp-gateway", GATEWAY_TARGET_PORT: "8002" },
    rateLimits: [
      { name: "REGISTER_RATE_LIMITER", namespace_id: "41001", simple: { limit: 10, period: 60 } },
      { name: "AUTHORIZE_RATE_LIMITER", namespace_id: "41002", simple: { limit: 30, period: 60 } },
    ],
  };
}

export const fixtureBundler: Bundler = async () => fixtureBundle();

/** Only loopback is real in tests: other hosts (e.g. mcp-gateway) fail like an unknown name. */
const loopbackOnlyFetch: typeof fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1") {
    throw new TypeError("fetch failed", { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: "ENOTFOUND" }) });
  }
  return globalThis.fetch(input, init);
}) as typeof fetch;

export interface Harness {
  fake: FakeCloudflare;
  account: FakeAccount;
  token: string;
  dir: string;
  statePath: string;
  envFile: string;
  options: ProvisionOptions;
  deps: Partial<RunDeps>;
  /** Everything the reporter printed so far. */
  output(): string;
  clearOutput(): void;
  sleeps: number[];
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const fake = await startFakeCloudflare();
  const account = fake.addAccount("Example");
  const token = fake.addToken({ accounts: [account] });
  const dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-prov-"));
  const statePath = path.join(dir, ".mcpbox", "state.json");
  const envFile = path.join(dir, ".env");
  const lines: string[] = [];
  const sleeps: number[] = [];
  const deps: Partial<RunDeps> = {
    reporter: createReporter({ write: (chunk) => lines.push(chunk) }, false),
    bundler: fixtureBundler,
    http: edgeFetch(fake, loopbackOnlyFetch),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    workerPollAttempts: 3,
    workerPollIntervalMs: 1_000,
    cloudflaredVersion: async () => undefined,
  };
  const options: ProvisionOptions = {
    apiToken: token,
    apiBaseUrl: fake.baseUrl,
    statePath,
    envFile,
    allow: { kind: "emails", emails: ["me@example.com"] },
    gatewayPort: await freePort(),
    yes: true,
  };
  return {
    fake,
    account,
    token,
    dir,
    statePath,
    envFile,
    options,
    deps,
    output: () => lines.join(""),
    clearOutput: () => {
      lines.length = 0;
    },
    sleeps,
    close: async () => {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Gives each test of the calling file a fresh harness through `assign`, and after each test checks
 * that the fake API hit no internal error (a fake bug must not pass as a provisioner result).
 */
export function useFreshHarness(assign: (harness: Harness) => void): void {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await createHarness();
    assign(current);
  });
  afterEach(async () => {
    const harness = current;
    current = undefined;
    if (!harness) return;
    try {
      expect(harness.fake.internalErrors).toEqual([]);
    } finally {
      await harness.close();
    }
  });
}

/** What a complete setup leaves on the account, as `inventory()` lists it. */
export const COMPLETE_INVENTORY = {
  tunnels: ["mcpbox-tunnel"],
  services: ["mcpbox-service"],
  kv: ["mcpbox-proxy-OAUTH_KV"],
  scripts: ["mcpbox-proxy"],
  apps: ["mcpbox-proxy"],
  policies: ["mcpbox-proxy-allow"],
} as const;

/** A terminal that answers every question as scripted and records what it was asked. */
export function scriptedPrompter(answers: { choose?: number; confirm?: boolean; ask?: string }): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive: true,
    asked,
    confirm: async (q) => {
      asked.push(q);
      return answers.confirm ?? false;
    },
    choose: async (q) => {
      asked.push(q);
      return answers.choose ?? 0;
    },
    ask: async (q) => {
      asked.push(q);
      return answers.ask ?? "everyone";
    },
  };
}
