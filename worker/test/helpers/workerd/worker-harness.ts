/**
 * Helpers for tests running in workerd: how to reach the Worker (through SELF, or through its
 * default export with a modified env), the gateway stand-in's records and controls, and a full
 * login through the development IdP with the shared scripted OAuth flow.
 */
import { SELF, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { runAuthorizationCodeFlow, type FlowNetwork, type FlowOptions, type FlowResult } from "@mcpbox/dev/test-kit";
import worker from "../../../src/index";
import { TEST_WORKER_ORIGIN, type HarnessInfo, type StandinMode, type StandinRecord } from "../harness-info";

export const ORIGIN = TEST_WORKER_ORIGIN;

/** Addresses of the IdPs, harness server and gateway stand-in. */
export function harness(): HarnessInfo {
  return inject("harness");
}

/**
 * A random client address for `CF-Connecting-IP` in the IPv6 documentation prefix (a /64 of its
 * own), as Cloudflare's edge sets it. Test requests come from fresh addresses unless a test fixes
 * one, so the per-IP rate limits only bite in the tests written for them.
 */
export function nextClientAddress(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${a.toString(16)}:${b.toString(16)}::1`;
}

/** `request` as it arrives from `address` (the edge's CF-Connecting-IP; clients cannot set it). */
export function fromAddress(request: Request, address: string): Request {
  const copy = new Request(request);
  copy.headers.set("CF-Connecting-IP", address);
  return copy;
}

/**
 * The Worker as configured for the tests, reached through its SELF service binding. Every request
 * comes from a new client address unless `address` fixes one.
 */
export function selfNetwork(address?: string): FlowNetwork {
  return { workerOrigin: ORIGIN, worker: (request) => SELF.fetch(fromAddress(request, address ?? nextClientAddress())) };
}

/** The test env with some settings replaced (undefined removes one). */
export function envWith(overrides: Record<string, unknown>): Env {
  const copy: Record<string, unknown> = { ...env };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete copy[name];
    else copy[name] = value;
  }
  return copy as unknown as Env;
}

/** Calls the Worker's default export with `testEnv` (same isolate, same code as SELF). */
export function callWorker(request: Request, testEnv: Env): Promise<Response> {
  return callWorkerWith(worker, request, testEnv);
}

/** Calls a Worker built from the same parts (e.g. with another clock) with `testEnv`. */
export async function callWorkerWith(handler: Pick<typeof worker, "fetch">, request: Request, testEnv: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await handler.fetch(request, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The Worker with a modified env, as a flow network (each request from a new client address). */
export function networkWithEnv(overrides: Record<string, unknown>): FlowNetwork {
  const testEnv = envWith(overrides);
  return { workerOrigin: ORIGIN, worker: (request) => callWorker(fromAddress(request, nextClientAddress()), testEnv) };
}

/** A unique marker for one test's requests; the gateway stand-in files records under it. */
export function newProbe(): string {
  return crypto.randomUUID();
}

/** `/mcp` (or another path) on the Worker, tagged with `probe` and a stand-in mode. */
export function mcpUrl(probe: string, options: { path?: string; mode?: StandinMode; extra?: Record<string, string> } = {}): string {
  const url = new URL(options.path ?? "/mcp", ORIGIN);
  url.searchParams.set("probe", probe);
  if (options.mode) url.searchParams.set("mode", options.mode);
  for (const [name, value] of Object.entries(options.extra ?? {})) url.searchParams.set(name, value);
  return url.href;
}

/** A JSON-RPC `initialize` request body. */
export function initializeBody(id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "worker-tests", version: "1" } },
  });
}

/** What the gateway stand-in received for `probe`. */
export async function standinRecords(probe: string): Promise<StandinRecord[]> {
  const response = await fetch(`${harness().standinUrl}/__standin/requests?probe=${encodeURIComponent(probe)}`);
  return (await response.json()) as StandinRecord[];
}

/** Resolves once the stand-in has seen `event` for `probe` (long poll, no sleeping). */
export async function standinEvent(probe: string, event: "first-chunk" | "request-complete" | "sse-open"): Promise<void> {
  const response = await fetch(`${harness().standinUrl}/__standin/wait?probe=${encodeURIComponent(probe)}&event=${event}`);
  await response.text();
}

/** Lets the stand-in finish the SSE stream it holds open for `probe`. */
export async function releaseStandinStream(probe: string): Promise<void> {
  const response = await fetch(`${harness().standinUrl}/__standin/release?probe=${encodeURIComponent(probe)}`, { method: "POST" });
  if (response.status !== 200) throw new Error(`no open stream for probe ${probe}`);
}

let counter = 0;

/** A unique test email on the allowed test domain. */
export function uniqueEmail(local = "user"): string {
  counter += 1;
  return `${local}-${counter}-${crypto.randomUUID().slice(0, 8)}@mcpbox.test`;
}

/** Runs the whole OAuth flow against the Worker (through SELF unless `network` is given). */
export function login(options: Partial<FlowOptions> & { network?: FlowNetwork } = {}): Promise<FlowResult> {
  const { network = selfNetwork(), ...rest } = options;
  return runAuthorizationCodeFlow(network, { mcpUrl: `${ORIGIN}/mcp`, email: uniqueEmail(), ...rest });
}

/** A POST to /mcp with a bearer token (and any extra headers). */
export function mcpPost(url: string, token: string | undefined, init: { headers?: Record<string, string>; body?: string } = {}): Request {
  return new Request(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
    body: init.body ?? initializeBody(),
  });
}

/** The text of one of the Worker's pages, with its character references decoded (for assertions). */
export function pageText(html: string): string {
  return html.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}
