/**
 * MCP Inspector's web UI (`npx @modelcontextprotocol/inspector`, v2) in headless Chromium against
 * the whole path: the person switches the server on, the UI's OAuth client sends the page to the
 * Worker's consent page and the development sign-in, and back on the UI lists the tools and runs
 * echo. The v2 UI sends MCP and OAuth requests through its own local server, so the page itself
 * only navigates to the Worker; the second test shows what a browser at the UI's origin may call
 * directly (CORS), and that another origin may not.
 */
import type { Browser, BrowserContext, Page, Request as PageRequest } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAuthorizationCodeFlow } from "../src/test-kit";
import { launchChromium, signInAtDevIdp } from "../src/test-kit/node/chromium";
import { freePort } from "../src/test-kit/node";
import { inspectorHome, startInspectorWeb, type InspectorHome, type InspectorWeb } from "./helpers/inspector";
import { startTestStack, type TestStack } from "./helpers/stack";

let stack: TestStack;
let home: InspectorHome;
let web: InspectorWeb;
let chromium: Browser;
let context: BrowserContext;
/** Every request the UI's pages made, in order. */
const requests: PageRequest[] = [];

beforeAll(async () => {
  const port = await freePort();
  // The UI's origin is allowed to call /mcp from the browser, as the local stack allows port 6274.
  [stack, home, chromium] = await Promise.all([startTestStack({ env: { CORS_ORIGINS: `http://127.0.0.1:${port}` } }), inspectorHome("memory"), launchChromium()]);
  web = await startInspectorWeb(["--server-url", stack.urls.mcp, "--transport", "http"], home.env, port);
  context = await chromium.newContext({ viewport: { width: 1400, height: 900 } });
  // Offline: the UI's web fonts (Google Fonts) fail at once instead of waiting on DNS.
  await context.route((url) => url.hostname !== "127.0.0.1", (route) => route.abort());
  context.on("request", (request) => void requests.push(request));
}, 120_000);

afterAll(async () => {
  await Promise.all([chromium?.close(), web?.close()]);
  await Promise.all([stack?.close(), home?.close()]);
});

it("connects through the UI's OAuth flow (consent and sign-in in the page), lists the tools and runs echo", async () => {
  const page = await context.newPage();
  await page.goto(web.openUrl);
  // The ad-hoc server from --server-url, switched on by the person.
  await page.getByRole("switch").click({ force: true });
  await page.waitForURL((url) => url.origin === stack.urls.worker && url.pathname === "/authorize");
  expect(new URL(page.url()).searchParams.get("redirect_uri")).toBe(`${web.origin}/oauth/callback`);
  expect(await page.textContent("h1")).toMatch(new RegExp(`^Allow .+ to use the MCP server at ${new URL(stack.urls.worker).host}\\?$`));
  await Promise.all([page.waitForURL((url) => url.origin === stack.idp.current?.origin), page.click('button[value="approve"]')]);
  await signInAtDevIdp(page, "inspector-web@example.com");
  await page.waitForURL((url) => url.origin === web.origin);
  await page.getByText("Connected", { exact: true }).waitFor();

  await page.getByText("Tools", { exact: true }).first().click();
  await page.getByText("echo", { exact: true }).first().click();
  await page.getByRole("textbox", { name: /message/ }).fill("from the Inspector UI");
  await page.getByRole("button", { name: "Execute Tool" }).click();
  await page.getByText("Echo: from the Inspector UI").first().waitFor();
  expect(stack.auditLines.some((line) => line.includes('"email":"inspector-web@example.com"') && line.includes('"tool":"echo"'))).toBe(true);

  // The page reached the Worker by navigation only (consent, callback): no cross-origin fetch.
  const toWorker = requests.filter((request) => new URL(request.url()).origin === stack.urls.worker);
  expect(toWorker.filter((request) => request.isNavigationRequest()).map((request) => new URL(request.url()).pathname)).toContain("/callback");
  expect(toWorker.filter((request) => !request.isNavigationRequest()).map((request) => request.url())).toEqual([]);
  await page.close();
}, 120_000);

it("a browser at the UI's origin may call /mcp with a token (CORS); another origin may not", async () => {
  const { tokens } = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: "inspector-cors@example.com" });
  const fromInspector = await context.newPage();
  await fromInspector.goto(web.openUrl);
  const allowed = await initializeFrom(fromInspector, stack.urls.mcp, tokens.access_token);
  expect(allowed).toMatchObject({ status: 200, sessionIdReadable: true, body: expect.stringContaining("mcp-servers/everything") });

  // The development IdP's page stands in for any other site.
  const elsewhere = await context.newPage();
  await elsewhere.goto(stack.urls.idpIssuer + "/.well-known/openid-configuration");
  expect(await initializeFrom(elsewhere, stack.urls.mcp, tokens.access_token)).toEqual({ blocked: true });
  await Promise.all([fromInspector.close(), elsewhere.close()]);
}, 60_000);

type InitializeOutcome = { status: number; sessionIdReadable: boolean; body: string } | { blocked: true };

/** From inside `page`: an MCP initialize POST to `mcpUrl` with the bearer token, as a browser client sends it. */
function initializeFrom(page: Page, mcpUrl: string, token: string): Promise<InitializeOutcome> {
  return page.evaluate(
    async ({ mcpUrl, token }) => {
      const body = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "browser", version: "1" } } };
      try {
        const response = await fetch(mcpUrl, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
          body: JSON.stringify(body),
        });
        return { status: response.status, sessionIdReadable: response.headers.get("mcp-session-id") !== null, body: await response.text() };
      } catch {
        // The browser refused to hand over the response (CORS): all a page can see.
        return { blocked: true as const };
      }
    },
    { mcpUrl, token },
  );
}
