/**
 * Grants end to end: two people sign in through the local stack (real OAuth library in Miniflare,
 * development IdP as Access) with their MCP clients; `grants list --local` shows each grant with
 * the person's email and the client's name; `grants revoke --user` signs one of them out — their
 * next /mcp call gets 401 and their refresh token is refused — while the other keeps working.
 * The same grants, copied into the provisioner's fake Cloudflare API, list and revoke the same
 * way through the KV REST API: both backends read what the library really wrote.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main, openLocalKvStore } from "@mcpbox/provisioner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAllValues, listAllKeys } from "../../provisioner/src/grants/kv-store";
import { startFakeCloudflare, type FakeCloudflare } from "../../provisioner/test/helpers/fake-cloudflare";
import { kvData } from "../../provisioner/test/helpers/fake-cloudflare/routes-kv-keys";
import { postForm, runAuthorizationCodeFlow, type FlowResult } from "../src/test-kit";
import { startTestStack, type TestStack } from "./helpers/stack";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";

let stack: TestStack;
let devDir: string;
let alice: FlowResult;
let bob: FlowResult;

beforeAll(async () => {
  stack = await startTestStack();
  devDir = path.join(stack.stateRoot, "state");
  alice = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: ALICE, clientName: "Claude Desktop" });
  bob = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: BOB, clientName: "Cursor" });
});
afterAll(async () => {
  await stack?.close();
});

/** Runs the provisioner CLI in-process; returns exit code and output. */
async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main({ argv, env, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

function ping(token: string): Promise<Response> {
  return fetch(stack.urls.mcp, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
}

function refresh(flow: FlowResult): Promise<{ status: number; body: Record<string, unknown> }> {
  return postForm(stack.network(), flow.discovery.authorizationServer.token_endpoint, {
    grant_type: "refresh_token",
    refresh_token: flow.tokens.refresh_token ?? "",
    client_id: flow.client.client_id,
  });
}

type ListedGrant = { grantId: string; email?: string; clientId: string; clientName?: string; accessTokens: number; hasRefreshToken: boolean; status: string };

describe("grants against the local stack (npm start)", () => {
  it("list shows each person's grant with their email and the client's name", async () => {
    const listed = await cli(["grants", "list", "--dev-dir", devDir, "--json"]);
    expect(listed.code).toBe(0);
    const grants = (JSON.parse(listed.out) as { grants: ListedGrant[] }).grants;
    expect(grants.map((g) => [g.email, g.clientName, g.clientId, g.status, g.hasRefreshToken, g.accessTokens])).toEqual([
      [ALICE, "Claude Desktop", alice.client.client_id, "active", true, 1],
      [BOB, "Cursor", bob.client.client_id, "active", true, 1],
    ]);
    const human = await cli(["grants", "list", "--dev-dir", devDir, "--user", ALICE]);
    expect(human.out).toMatch(new RegExp(`alice@example\\.com\\n  grant [A-Za-z0-9_-]{16} · client "Claude Desktop" \\(${alice.client.client_id}\\)`));
    expect(human.out).not.toContain(BOB);
  });

  it("the KV REST API backend lists and revokes the library's real records the same way", async () => {
    const fake = await copyLocalKvIntoFakeCloudflare();
    try {
      const local = JSON.parse((await cli(["grants", "list", "--dev-dir", devDir, "--json"])).out) as { grants: ListedGrant[] };
      const remote = await cli(["grants", "list", "--json", `--state=${fake.statePath}`], fake.env);
      expect(remote.code).toBe(0);
      const remoteGrants = (JSON.parse(remote.out) as { grants: ListedGrant[]; source: { kind: string } }).grants;
      expect(remoteGrants).toEqual(local.grants);

      const revoked = await cli(["grants", "revoke", "--user", ALICE, `--state=${fake.statePath}`], fake.env);
      expect(revoked.code).toBe(0);
      expect(revoked.out).toContain(`✓ Revoked 1 grant(s) (${ALICE}: 1).`);
      const aliceGrant = local.grants.find((g) => g.email === ALICE)?.grantId ?? "";
      expect([...fake.keys()].some((k) => k.includes(aliceGrant))).toBe(false);
      expect([...fake.keys()].filter((k) => k.startsWith("grant:"))).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it("revoke --user: that person's next /mcp call is 401 and their refresh fails; the other person keeps working", async () => {
    expect((await ping(alice.tokens.access_token)).status).toBe(200);
    expect((await ping(bob.tokens.access_token)).status).toBe(200);

    const revoked = await cli(["grants", "revoke", "--dev-dir", devDir, "--user", ALICE]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`✓ Revoked 1 grant(s) (${ALICE}: 1). Their MCP clients now get 401 and must sign in again.`);

    const refused = await ping(alice.tokens.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toContain("resource_metadata=");
    const renewal = await refresh(alice);
    expect(renewal.status).toBe(400);
    expect(renewal.body.error).toBe("invalid_grant");

    expect((await ping(bob.tokens.access_token)).status).toBe(200);
    expect((await refresh(bob)).status).toBe(200);
    const after = JSON.parse((await cli(["grants", "list", "--dev-dir", devDir, "--json"])).out) as { grants: ListedGrant[] };
    expect(after.grants.map((g) => g.email)).toEqual([BOB]);
  });

  it("a revoked person who signs in again gets a new grant that works", async () => {
    const again = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: ALICE, client: alice.client, browser: alice.browser });
    expect((await ping(again.tokens.access_token)).status).toBe(200);
    const listed = JSON.parse((await cli(["grants", "list", "--dev-dir", devDir, "--user", ALICE, "--json"])).out) as { grants: ListedGrant[] };
    expect(listed.grants).toHaveLength(1);
  });
});

/**
 * Copies every key of the local stack's OAUTH_KV (values, expirations, key metadata) into a fake
 * Cloudflare account's namespace, with a provisioner state file that points at it.
 */
async function copyLocalKvIntoFakeCloudflare(): Promise<{ statePath: string; env: Record<string, string>; keys(): Set<string>; close(): Promise<void> }> {
  const fake: FakeCloudflare = await startFakeCloudflare();
  const account = fake.addAccount("Example");
  const token = fake.addToken({ accounts: [account] });
  const namespaceId = "0123456789abcdef0123456789abcdef";
  account.kv.set(namespaceId, { id: namespaceId, title: "mcpbox-proxy-OAUTH_KV" });
  const entries = kvData(account, namespaceId).entries;
  const local = await openLocalKvStore(devDir);
  try {
    const keys = await listAllKeys(local, "");
    const values = await getAllValues(local, keys.map((k) => k.name));
    for (const key of keys) {
      const value = values.get(key.name);
      if (value === null || value === undefined) continue;
      entries.set(key.name, { value, ...(key.expiration !== undefined ? { expiration: key.expiration } : {}), ...(key.metadata !== undefined ? { metadata: key.metadata } : {}) });
    }
  } finally {
    await local.close();
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-grants-e2e-"));
  const statePath = path.join(dir, "state.json");
  const state = {
    version: 1,
    accountId: account.id,
    names: { tunnel: "mcpbox-tunnel", vpcService: "mcpbox-service", worker: "mcpbox-proxy" },
    gateway: { host: "mcp-gateway", port: 8002 },
    kvNamespace: { id: namespaceId, title: "mcpbox-proxy-OAUTH_KV" },
  };
  await writeFile(statePath, JSON.stringify(state), { mode: 0o600 });
  return {
    statePath,
    env: { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_API_BASE_URL: fake.baseUrl },
    keys: () => new Set(entries.keys()),
    close: async () => {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
