/**
 * Client registration as real MCP clients do it: claude.ai and ChatGPT redirect URIs register and
 * complete the flow, non-compliant URIs are refused with clear errors, a stale client_id gets a
 * clean invalid_client (and nothing is registered behind its back), and CIMD clients work.
 */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScriptedBrowser, authorizationUrl, newPkce, postForm, registerClient } from "@mcpbox/dev/test-kit";
import { ORIGIN, fromAddress, login, mcpPost, mcpUrl, newProbe, nextClientAddress, selfNetwork, standinRecords } from "./helpers/workerd/worker-harness";

const network = selfNetwork();

async function register(body: Record<string, unknown>): Promise<Response> {
  return SELF.fetch(
    fromAddress(new Request(`${ORIGIN}/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }), nextClientAddress()),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("dynamic client registration", () => {
  it.each([
    ["claude.ai", "https://claude.ai/api/mcp/auth_callback"],
    ["ChatGPT (per-connector URI)", "https://chatgpt.com/connector/oauth/c9f1d2e3-4b5a-6789-abcd-ef0123456789"],
  ])("%s registers and completes the flow with its redirect URI", async (_name, redirectUri) => {
    const flow = await login({ redirectUri });
    expect(flow.client.redirect_uris).toEqual([redirectUri]);
    expect(flow.clientRedirect.origin + flow.clientRedirect.pathname).toBe(redirectUri);
    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(probe), flow.tokens.access_token))).status).toBe(200);
  });

  it("refuses a plain-http redirect URI on a public host", async () => {
    const response = await register({ redirect_uris: ["http://evil.example/callback"], token_endpoint_auth_method: "none" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_client_metadata",
      error_description: "Redirect URI must use https, or http on a loopback host",
    });
  });

  it("refuses a client whose only redirect URI is Cursor's cursor:// scheme", async () => {
    const response = await register({ redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback"], token_endpoint_auth_method: "none" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_client_metadata",
      error_description: "Redirect URI must use https, or http on a loopback host",
    });
  });

  it("accepts cursor:// next to a loopback URI, signs in through the loopback one, and never sends a code to cursor://", async () => {
    const client = await registerClient(network, `${ORIGIN}/register`, {
      redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback", "http://127.0.0.1:47123/callback"],
      client_name: "Cursor",
    });
    const pkce = await newPkce();
    const viaCursor = authorizationUrl(`${ORIGIN}/authorize`, {
      clientId: client.client_id,
      redirectUri: "cursor://anysphere.cursor-mcp/oauth/callback",
      pkce,
      state: "s",
      resource: `${ORIGIN}/`,
    });
    const refused = await new ScriptedBrowser(network).request(viaCursor);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Location")).toBeNull();

    const flow = await login({ client, redirectUri: "http://127.0.0.1:47123/callback" });
    expect(flow.clientRedirect.href.startsWith("http://127.0.0.1:47123/callback?")).toBe(true);
  });
});

describe("a stale or unknown client_id", () => {
  it("gets invalid_client at /token, and the token endpoint registers nothing", async () => {
    const stale = "stale-client-id-from-a-wiped-store";
    const response = await postForm(network, `${ORIGIN}/token`, {
      grant_type: "authorization_code",
      code: "x:y:z",
      client_id: stale,
      redirect_uri: "http://127.0.0.1:1234/cb",
      code_verifier: "v".repeat(43),
    });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe("invalid_client");
    expect(await env.OAUTH_KV.get(`client:${stale}`)).toBeNull();
    const refresh = await postForm(network, `${ORIGIN}/token`, { grant_type: "refresh_token", refresh_token: "a:b:c", client_id: stale });
    expect(refresh.body.error).toBe("invalid_client");
  });

  it("gets a page saying the registration is unknown (invalid_client) at /authorize, without a redirect", async () => {
    const pkce = await newPkce();
    const url = authorizationUrl(`${ORIGIN}/authorize`, {
      clientId: "stale-client-id",
      redirectUri: "https://claude.ai/api/mcp/auth_callback",
      pkce,
      state: "s",
    });
    const response = await new ScriptedBrowser(network).request(url);
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
    const page = await response.text();
    expect(page).toContain("registration is unknown to this server (invalid_client)");
    expect(page).toContain("Remove the server from the app and add it again.");
  });
});

describe("Client ID Metadata Documents", () => {
  it("a CIMD client (claude.ai style URL client_id) completes the flow; its domain is shown on the consent page", async () => {
    const clientId = "https://claude.ai/oauth/mcp-oauth-client-metadata";
    const redirectUri = "https://claude.ai/api/mcp/auth_callback";
    const document = { client_id: clientId, client_name: "Claude", redirect_uris: [redirectUri], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] };
    const realFetch = globalThis.fetch;
    // Stand in for claude.ai's web server only; every other request goes out as usual.
    vi.spyOn(globalThis, "fetch").mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === clientId) return Promise.resolve(Response.json(document, { headers: { "Cache-Control": "no-store" } }));
      return realFetch(input, init);
    });
    const browser = new ScriptedBrowser(network);
    const consent = await browser.request(
      authorizationUrl(`${ORIGIN}/authorize`, { clientId, redirectUri, pkce: await newPkce(), state: "s", resource: `${ORIGIN}/` }),
    );
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain("This app is published by <bdi>claude.ai</bdi>.");

    const flow = await login({ client: { client_id: clientId, redirect_uris: [redirectUri] }, redirectUri });
    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(probe), flow.tokens.access_token))).status).toBe(200);
    const [record] = await standinRecords(probe);
    expect(record?.headers["x-mcpbox-client-id"]).toBe(clientId);
  });
});
