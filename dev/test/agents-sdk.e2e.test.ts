/**
 * An Agents SDK agent as an MCP client of the Worker: the fixture agent (dev/fixtures/agent-worker/)
 * runs in its own Miniflare beside the stack and calls `addMcpServer()` with the Worker's /mcp. The
 * SDK registers itself (DCR), hands back an authorization URL, and the person's part — consent and
 * the development sign-in — happens in headless Chromium, which lands on the agent's own callback.
 * Then the agent lists the server's tools and calls one. Also: the SDK stays out of our Worker's
 * production bundle, and a person who denies leaves the agent without access.
 */
import { readFile } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium, signInAtDevIdp } from "../src/test-kit/node/chromium";
import { startAgentWorker, type RunningAgentWorker } from "./helpers/agent-worker";
import { startTestStack, type TestStack } from "./helpers/stack";

/** A storage table name of the Agents SDK: present in any bundle that contains the SDK. */
const AGENTS_SDK_MARKER = "cf_agents_mcp_servers";
/** The page the fixture agent answers at its OAuth callback (its CONNECTED_TITLE). */
const CONNECTED_TITLE = "MCP server connected";

/** What the fixture's `tools` route answers (the SDK's server state and its namespaced tools). */
interface ToolsResult {
  servers: Record<string, { name: string; server_url: string; state: string; error: string | null }>;
  tools: { name: string; serverId: string }[];
}

let stack: TestStack;
let agent: RunningAgentWorker;
let chromium: Browser;

beforeAll(async () => {
  [stack, agent, chromium] = await Promise.all([startTestStack(), startAgentWorker(), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([chromium?.close(), agent?.dispose(), stack?.close()]);
});

/** Asks the agent instance to add the stack's MCP server; it must come back asking for sign-in. */
async function connect(instance: string): Promise<{ id: string; authUrl: URL }> {
  const result = await agent.request(instance, "connect", { url: stack.urls.mcp });
  expect(result).toMatchObject({ id: expect.any(String), state: "authenticating", authUrl: expect.any(String) });
  const { id, authUrl } = result as { id: string; authUrl: string };
  return { id, authUrl: new URL(authUrl) };
}

/** The agent's servers and tools, once its connections have settled. */
async function toolsOf(instance: string): Promise<ToolsResult> {
  const result = await agent.request(instance, "tools");
  expect(result).toMatchObject({ servers: expect.any(Object), tools: expect.any(Array) });
  return result as ToolsResult;
}

it("keeps the Agents SDK out of the Worker's production bundle", async () => {
  const workerBundle = await readFile(inject("workerBundleEntry"), "utf8");
  // The marker finds the SDK where it is bundled, so its absence below means something.
  expect(agent.bundleSource).toContain(AGENTS_SDK_MARKER);
  expect(workerBundle).not.toContain(AGENTS_SDK_MARKER);
});

it("connects with addMcpServer (DCR, consent and sign-in in Chromium, the agent's callback), then lists tools and calls echo", async () => {
  const instance = "e2e-agent";
  const { id, authUrl } = await connect(instance);
  expect(authUrl.origin + authUrl.pathname).toBe(`${stack.urls.worker}/authorize`);
  expect(authUrl.searchParams.get("redirect_uri")).toBe(agent.url(instance, "callback"));
  expect(authUrl.searchParams.get("code_challenge_method")).toBe("S256");

  const page = await chromium.newPage();
  await page.goto(authUrl.href);
  // The SDK registers the Durable Object's instance name as the client name.
  expect(await page.textContent("h1")).toBe(`Allow ${instance} to use the MCP server at ${new URL(stack.urls.worker).host}?`);
  await Promise.all([page.waitForURL((url) => url.origin === stack.idp.current?.origin), page.click('button[value="approve"]')]);
  await signInAtDevIdp(page, "agent@example.com");
  await page.waitForURL((url) => url.origin === agent.origin);
  expect(await page.title()).toBe(CONNECTED_TITLE);
  await page.close();

  const { servers, tools } = await toolsOf(instance);
  expect(servers[id]).toMatchObject({ name: "mcpbox", server_url: stack.urls.mcp, state: "ready", error: null });
  expect(tools.filter((tool) => tool.serverId === id).map((tool) => tool.name)).toContain("echo");

  const result = await agent.request(instance, "call", { serverId: id, name: "echo", arguments: { message: "from an agent" } });
  expect(result).toMatchObject({ content: [{ type: "text", text: "Echo: from an agent" }] });
  expect(stack.auditLines.some((line) => line.includes('"email":"agent@example.com"') && line.includes('"tool":"echo"'))).toBe(true);
}, 90_000);

it("leaves the agent without access when the person denies on the consent page", async () => {
  const instance = "denied-agent";
  const { id, authUrl } = await connect(instance);
  const page = await chromium.newPage();
  await page.goto(authUrl.href);
  await Promise.all([page.waitForURL((url) => url.origin === agent.origin), page.click('button[value="deny"]')]);
  expect(await page.title()).toBe("MCP server not connected");
  await page.close();

  const { servers, tools } = await toolsOf(instance);
  // The SDK shows the Worker's error_description for access_denied (RFC 6749 §4.1.2.1).
  expect(servers[id]).toMatchObject({ state: "failed", error: "The user declined to allow this app." });
  expect(tools.filter((tool) => tool.serverId === id)).toEqual([]);
}, 90_000);
