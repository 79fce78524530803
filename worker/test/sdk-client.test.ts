/**
 * The resource-binding proof with the MCP TypeScript SDK's client: it connects to /mcp and to the
 * base URL /, gets the 401, discovers, registers, and (after the person signs in at the browser)
 * finishes auth and initializes through the Worker to the gateway stand-in. No 401 after sign-in.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { ScriptedBrowser, consentFormFields, loginAtDevIdp, redirectTarget, submitConsent } from "@mcpbox/dev/test-kit";
import { MemoryOAuthClientProvider, sdkFetch } from "./helpers/workerd/sdk-client";
import { ORIGIN, newProbe, selfNetwork, standinRecords, uniqueEmail } from "./helpers/workerd/worker-harness";

/** The person's part: consent, Access login, and back to the client's redirect with a code. */
async function signInAtBrowser(authorizationUrl: URL): Promise<string> {
  const browser = new ScriptedBrowser(selfNetwork());
  const page = await browser.request(authorizationUrl);
  expect(page.status).toBe(200);
  const approved = await submitConsent(browser, authorizationUrl.href, consentFormFields(await page.text()), "approve");
  const callback = await loginAtDevIdp(browser, redirectTarget(approved, authorizationUrl).href, uniqueEmail("sdk"));
  const clientRedirect = redirectTarget(await browser.request(callback), callback);
  const code = clientRedirect.searchParams.get("code");
  if (!code) throw new Error("no authorization code");
  return code;
}

describe.each([["/mcp"], ["/"]])("the MCP SDK client connecting to %s", (path) => {
  it("signs in and then initializes through the Worker (no 401 after sign-in)", async () => {
    const probe = newProbe();
    const serverUrl = new URL(path, ORIGIN);
    serverUrl.searchParams.set("probe", probe);
    const provider = new MemoryOAuthClientProvider("http://127.0.0.1:45123/callback");

    const first = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: sdkFetch });
    await expect(new Client({ name: "sdk-test", version: "1.0.0" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    // The SDK names the resource its discovery found for the URL it connected to (RFC 9728 §3.3).
    expect(provider.authorizationUrl?.searchParams.get("resource")).toBe(path === "/mcp" ? `${ORIGIN}/mcp` : `${ORIGIN}/`);

    await first.finishAuth(await signInAtBrowser(provider.authorizationUrl as URL));
    const client = new Client({ name: "sdk-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: sdkFetch }));
    expect(client.getServerVersion()).toMatchObject({ name: "gateway-standin" });

    const records = await standinRecords(probe);
    const posted = records.filter((record) => record.method === "POST");
    expect(posted.map((record) => JSON.parse(record.body).method)).toEqual(["initialize", "notifications/initialized"]);
    // After `initialized` the SDK opens its GET stream without waiting for it: it may or may not
    // have reached the stand-in yet, and it is the only other request there may be.
    expect(records.filter((record) => record.method !== "POST").map((record) => record.method)).toEqual(
      records.length > posted.length ? ["GET"] : [],
    );
    expect(records.every((record) => record.headers["x-mcpbox-auth-method"] === "oidc")).toBe(true);
    await client.close();
  });
});
