/**
 * Cursor's OAuth shapes against the whole path. Cursor registers by DCR as a public client with
 * three redirect URIs at once: its private-use scheme, the hosted callback of its cloud agents,
 * and the desktop app's loopback callback `http://localhost:8787/callback` (public reports and
 * client guides, 2026; see docs/decisions.md). The desktop app signs in through the loopback one.
 * Here the MCP SDK's client plays Cursor with that registration body, the person's part runs in
 * headless Chromium, and the code comes back to a loopback listener on `localhost` at `/callback`.
 * The test cannot hold port 8787, so its listener takes a free port: the Worker matches a loopback
 * redirect URI on scheme, host and path and lets the port vary (RFC 8252 §7.3), as for Cursor.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientMetadata } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { authorizationUrl, newPkce } from "../src/test-kit";
import { launchChromium, signInAtDevIdp, startLoopbackRedirect, type LoopbackRedirect } from "../src/test-kit/node/chromium";
import { echoText } from "./helpers/mcp";
import { TestOAuthClientProvider } from "./helpers/oauth-client-provider";
import { startTestStack, type TestStack } from "./helpers/stack";

const CURSOR_PRIVATE_USE = "cursor://anysphere.cursor-mcp/oauth/callback";
const CURSOR_AGENTS_HOSTED = "https://www.cursor.com/agents/mcp/oauth/callback";
const CURSOR_DESKTOP_LOOPBACK = "http://localhost:8787/callback";
const CLIENT_INFO = { name: "cursor-shaped-e2e", version: "1.0.0" };

/** The SDK's client with Cursor's registration body; it signs in through `redirectUrl`. */
class CursorShapedProvider extends TestOAuthClientProvider {
  override get clientMetadata(): OAuthClientMetadata {
    return { ...super.clientMetadata, redirect_uris: [CURSOR_PRIVATE_USE, CURSOR_AGENTS_HOSTED, CURSOR_DESKTOP_LOOPBACK] };
  }
}

let stack: TestStack;
let chromium: Browser;
let callback: LoopbackRedirect;
let provider: CursorShapedProvider;

beforeAll(async () => {
  [stack, chromium, callback] = await Promise.all([startTestStack(), launchChromium(), startLoopbackRedirect("/callback")]);
  provider = new CursorShapedProvider(callback.url.replace("//127.0.0.1:", "//localhost:"), "Cursor");
});

afterAll(async () => {
  await Promise.all([chromium?.close(), callback?.close(), stack?.close()]);
});

/** A fresh authorization request for the registered client, sent to `redirectUri`. */
async function authorizeUrlFor(redirectUri: string): Promise<string> {
  const clientId = provider.clientInformation()?.client_id;
  if (!clientId) throw new Error("the client is not registered: the sign-in test failed");
  return authorizationUrl(`${stack.urls.worker}/authorize`, { clientId, redirectUri, pkce: await newPkce(), state: "cursor-state", resource: `${stack.urls.worker}/` });
}

it("registers with Cursor's three callbacks, signs in through the desktop loopback one (Chromium), then lists tools and calls echo", async () => {
  const first = new StreamableHTTPClientTransport(new URL(stack.urls.mcp), { authProvider: provider });
  await expect(new Client(CLIENT_INFO).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
  expect(provider.clientInformation()).toMatchObject({ redirect_uris: [CURSOR_PRIVATE_USE, CURSOR_AGENTS_HOSTED, CURSOR_DESKTOP_LOOPBACK] });
  const authorization = provider.authorizationUrls[0] as URL;
  expect(authorization.searchParams.get("redirect_uri")).toBe(provider.redirectUrl);

  const page = await chromium.newPage();
  await page.goto(authorization.href);
  expect(await page.textContent("h1")).toBe(`Allow Cursor to use the MCP server at ${new URL(stack.urls.worker).host}?`);
  expect(await page.textContent("body")).toContain("Its access is sent to localhost");
  await Promise.all([page.waitForURL((url) => url.origin === stack.idp.current?.origin), page.click('button[value="approve"]')]);
  const arrived = callback.next();
  await signInAtDevIdp(page, "cursor@example.com");
  const query = await arrived;
  expect(new URL(page.url()).origin + new URL(page.url()).pathname).toBe(provider.redirectUrl);
  expect(query.get("iss")).toBe(stack.urls.worker);
  await page.close();

  await first.finishAuth(query.get("code") ?? "");
  const client = new Client(CLIENT_INFO);
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.urls.mcp), { authProvider: provider }));
  expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("echo");
  expect(await echoText(client, "from Cursor's loopback flow")).toBe("Echo: from Cursor's loopback flow");
  await client.close();
}, 90_000);

it("never sends a code to cursor://: the same client asking for it gets an error page and stays on the Worker", async () => {
  const page = await chromium.newPage();
  const response = await page.goto(await authorizeUrlFor(CURSOR_PRIVATE_USE));
  expect(response?.status()).toBe(400);
  expect(new URL(page.url()).origin).toBe(stack.urls.worker);
  await page.close();
}, 60_000);

it("names the cloud agents' hosted callback host on the consent page", async () => {
  const page = await chromium.newPage();
  const response = await page.goto(await authorizeUrlFor(CURSOR_AGENTS_HOSTED));
  expect(response?.status()).toBe(200);
  expect(await page.textContent("body")).toContain("Its access is sent to www.cursor.com");
  await page.close();
}, 60_000);
