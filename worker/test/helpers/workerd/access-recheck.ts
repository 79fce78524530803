/**
 * Helpers for the re-check tests: the production wiring with a clock moved ahead (the OAuth
 * library keeps real time; only our refresh rules see the move), refreshes at our token endpoint,
 * the grants in KV, the Access operator's moves at a development IdP, and counting the refreshes
 * the Worker sends to Access.
 */
import { env } from "cloudflare:workers";
import { vi, type MockInstance } from "vitest";
import { devSubjectFor, type FlowNetwork, type FlowResult } from "@mcpbox/dev/test-kit";
import type { IdpInfo } from "../harness-info";
import { ORIGIN, callWorkerWith, envWith, harness } from "./worker-harness";
import { createWorker } from "../../../src/wiring";

/** The Worker as index.ts wires it, with its clock `offsetSeconds` ahead and `overrides` in its env. */
export function workerAt(offsetSeconds: number, overrides: Record<string, unknown> = {}): FlowNetwork {
  const router = createWorker(() => Math.floor(Date.now() / 1000) + offsetSeconds);
  const testEnv = envWith(overrides);
  return { workerOrigin: ORIGIN, worker: (request) => callWorkerWith(router, request, testEnv) };
}

/** The Worker settings that point it at another development IdP. */
export function accessEnv(idp: IdpInfo): Record<string, string> {
  return {
    ACCESS_CLIENT_ID: idp.clientId,
    ACCESS_CLIENT_SECRET: idp.clientSecret,
    ACCESS_AUTHORIZATION_URL: idp.authorizationUrl,
    ACCESS_TOKEN_URL: idp.tokenUrl,
    ACCESS_JWKS_URL: idp.jwksUrl,
  };
}

/** A refresh at our token endpoint, as the MCP client sends it; the answer's status, JSON body and headers. */
export async function refreshAt(network: FlowNetwork, flow: FlowResult, refreshToken: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: flow.client.client_id });
  const response = await network.worker(
    new Request(flow.discovery.authorizationServer.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** Keys of the grants the OAuth library holds in KV for `email`'s Access subject. */
export async function grantsOf(email: string): Promise<string[]> {
  const listed = await env.OAUTH_KV.list({ prefix: `grant:${encodeURIComponent(await devSubjectFor(email))}:` });
  return listed.keys.map((key) => key.name);
}

/** The grant record the library stored (its plaintext fields: expiry, creation time). */
export async function grantRecord(key: string): Promise<{ createdAt: number; expiresAt?: number }> {
  const record = await env.OAUTH_KV.get<{ createdAt: number; expiresAt?: number }>(key, "json");
  if (!record) throw new Error(`no grant ${key}`);
  return record;
}

/** What an Access operator does at the IdP named `idp` (`main`, `plain`, `no-refresh`). */
export async function operator(action: "remove-account" | "end-sessions", idp: string, email: string): Promise<void> {
  const response = await fetch(`${harness().harnessUrl}/control/${action}/${idp}`, { method: "POST", body: email });
  if (response.status !== 200) throw new Error(`${action} failed: ${response.status}`);
  await response.body?.cancel();
}

/** Watches the Worker's outgoing fetches; `accessRefreshes()` counts refresh requests to `tokenUrl`. */
export function watchAccess(tokenUrl: string): { accessRefreshes(): number; spy: MockInstance<typeof fetch> } {
  const spy = vi.spyOn(globalThis, "fetch");
  return {
    spy,
    accessRefreshes: () =>
      spy.mock.calls.filter(([input, init]) => {
        const url = input instanceof Request ? input.url : String(input);
        return url === tokenUrl && typeof init?.body === "string" && new URLSearchParams(init.body).get("grant_type") === "refresh_token";
      }).length,
  };
}
