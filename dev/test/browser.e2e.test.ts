/**
 * The person's part of the flow in a real headless Chromium: the Worker's consent page (kept as a
 * screenshot in test-artifacts/), the development IdP's login page, the redirect back to the MCP
 * client with a code that then works for an MCP call. Also: the `__Host-` consent cookies are
 * accepted on http://127.0.0.1 (a secure context), a remembered approval, and Deny.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Browser, BrowserContext, Response as PageResponse } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_IDP_BANNER } from "../src/idp/login-form";
import { exchangeCode, prepareAuthorization, type PreparedAuthorization } from "../src/test-kit";
import { REPO_ROOT } from "../src/wrangler-settings";
import { launchChromium, signInAtDevIdp, startLoopbackRedirect, type LoopbackRedirect } from "../src/test-kit/node/chromium";
import { echoText } from "./helpers/mcp";
import { startTestStack, type TestStack } from "./helpers/stack";

const ARTIFACTS = path.join(REPO_ROOT, "test-artifacts");
const CLIENT_NAME = "Chromium e2e client";

let stack: TestStack;
let browser: Browser;
let redirect: LoopbackRedirect;

beforeAll(async () => {
  [stack, browser, redirect] = await Promise.all([startTestStack(), launchChromium(), startLoopbackRedirect()]);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await Promise.all([browser?.close(), redirect?.close(), stack?.close()]);
});

function prepare(): Promise<PreparedAuthorization> {
  return prepareAuthorization(stack.network(), { mcpUrl: stack.urls.mcp, redirectUri: redirect.url, clientName: CLIENT_NAME });
}

/** The responses a page received for the Worker's /authorize, by status. */
function authorizeStatuses(responses: PageResponse[]): number[] {
  return responses.filter((r) => new URL(r.url()).pathname === "/authorize" && r.request().method() === "GET").map((r) => r.status());
}

describe("the browser part of the sign-in, in headless Chromium", () => {
  let context: BrowserContext;
  let prepared: PreparedAuthorization;

  it("shows the consent page naming the client, the server and where access goes (screenshot kept)", async () => {
    context = await browser.newContext();
    prepared = await prepare();
    const page = await context.newPage();
    const response = await page.goto(prepared.authorizeUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    const heading = await page.textContent("h1");
    expect(heading).toBe(`Allow ${CLIENT_NAME} to use the MCP server at ${new URL(stack.urls.worker).host}?`);
    expect(await page.textContent("body")).toContain(`Its access is sent to ${new URL(redirect.url).hostname}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "consent-page.png"), fullPage: true });

    // The consent state is bound to this browser by `__Host-` cookies (Secure, Path=/, no Domain).
    // Chromium treats http://127.0.0.1 as a secure context and accepts them there.
    const hostCookies = (await context.cookies(stack.urls.worker)).filter((cookie) => cookie.name.startsWith("__Host-"));
    expect(hostCookies.length).toBeGreaterThan(0);
    expect(hostCookies.every((cookie) => cookie.secure && cookie.path === "/" && cookie.domain === "127.0.0.1")).toBe(true);
  });

  it("Allow leads to the development IdP's login page; signing in there returns a code to the client", async () => {
    const page = context.pages()[0];
    if (!page) throw new Error("the consent page is gone");
    await Promise.all([page.waitForURL((url) => url.origin === stack.idp.current?.origin), page.click('button[value="approve"]')]);
    expect(await page.textContent("body")).toContain(DEV_IDP_BANNER);

    const query = redirect.next();
    await signInAtDevIdp(page, "chromium@example.com");
    const params = await query;
    expect(params.get("state")).toBe(prepared.state);
    expect(params.get("iss")).toBe(stack.urls.worker);
    await page.waitForURL(redirect.url + "**");
    expect(await page.textContent("body")).toContain("Signed in");

    const exchanged = await exchangeCode(stack.network(), prepared, params.get("code") ?? "");
    expect(exchanged.status).toBe(200);
    const client = new Client({ name: "chromium-e2e", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(stack.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${String(exchanged.body.access_token)}` } } }),
    );
    expect(await echoText(client, "signed in with Chromium")).toBe("Echo: signed in with Chromium");
    await client.close();
  });

  it("skips the consent page when this browser already allowed the client, and the IdP session signs in again", async () => {
    const again = await prepareAuthorization(stack.network(), { mcpUrl: stack.urls.mcp, client: prepared.client, redirectUri: redirect.url });
    const page = await context.newPage();
    const responses: PageResponse[] = [];
    page.on("response", (response) => responses.push(response));
    const query = redirect.next();
    await page.goto(again.authorizeUrl);
    const params = await query;
    expect(authorizeStatuses(responses)).toEqual([302]);
    expect(params.get("state")).toBe(again.state);
    expect(params.get("code")).toBeTruthy();
  });
});

it("Deny on the consent page sends the client access_denied and issues nothing", async () => {
  const context = await browser.newContext();
  const prepared = await prepare();
  const page = await context.newPage();
  await page.goto(prepared.authorizeUrl);
  const query = redirect.next();
  await page.click('button[value="deny"]');
  const params = await query;
  expect(params.get("error")).toBe("access_denied");
  expect(params.get("state")).toBe(prepared.state);
  expect(params.get("code")).toBeNull();
  await context.close();
});
