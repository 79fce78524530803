/**
 * The MCP TypeScript SDK's client through the whole path (Worker in Miniflare → gateway →
 * server-everything over stdio), once at /mcp and once at the base URL /: the OAuth dance from
 * the first 401, tools, progress, a resource; then the access token expires (60 s, the Worker's
 * shortest lifetime) and the SDK refreshes it without the user noticing; then revocation at
 * /revoke: of the access token alone (401, renewed by the refresh token), then of the grant.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WORKER_VAR_NAMES } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { echoText, oneTo, progressEvents, readTextResource } from "./helpers/mcp";
import { TestOAuthClientProvider, recordingFetch, type RecordedExchange } from "./helpers/oauth-client-provider";
import { signInAsPerson } from "./helpers/person";
import { startTestStack, type TestStack } from "./helpers/stack";

const PATHS = ["/mcp", "/"] as const;
const TOKEN_TTL_SECONDS = 60;
const CLIENT_INFO = { name: "mcpbox-e2e", version: "1.0.0" };

interface Session {
  url: URL;
  email: string;
  provider: TestOAuthClientProvider;
  exchanges: RecordedExchange[];
  client: Client;
  transport: StreamableHTTPClientTransport;
}

let stack: TestStack;
const sessions = new Map<string, Session>();

beforeAll(async () => {
  stack = await startTestStack({ env: { [WORKER_VAR_NAMES.accessTokenTtlSeconds]: String(TOKEN_TTL_SECONDS) } });
});

afterAll(async () => {
  for (const session of sessions.values()) await session.client.close();
  await stack?.close();
});

function sessionFor(path: string): Session {
  const session = sessions.get(path);
  if (!session) throw new Error(`no signed-in client for ${path}: the sign-in test failed`);
  return session;
}

const summary = (exchanges: RecordedExchange[]) =>
  exchanges.map((e) => `${e.method} ${e.path} ${e.status}${e.grantType ? ` ${e.grantType}` : ""}`);

describe.each(PATHS)("the MCP SDK client connecting to %s", (path) => {
  it("signs in from the first 401: discovery, registration, PKCE, consent, IdP login, token", async () => {
    const url = new URL(path, stack.urls.worker);
    const email = `sdk${path === "/" ? "-root" : ""}@example.com`;
    const exchanges: RecordedExchange[] = [];
    const provider = new TestOAuthClientProvider("http://127.0.0.1:45321/oauth/callback");
    const fetchFn = recordingFetch(exchanges);

    const first = new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: fetchFn });
    await expect(new Client(CLIENT_INFO).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    const dance = summary(exchanges);
    expect(dance[0]).toBe(`POST ${path} 401`);
    expect(dance).toContain("GET /.well-known/oauth-authorization-server 200");
    expect(dance.some((line) => /^GET \/\.well-known\/oauth-protected-resource(\/mcp)? 200$/.test(line))).toBe(true);
    expect(dance.at(-1)).toBe("POST /register 201");

    const authorizationUrl = provider.authorizationUrls[0] as URL;
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${stack.urls.worker}/authorize`);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    // The resource its discovery found for /mcp (RFC 9728 §3.3); the Worker maps it to the canonical one.
    expect(authorizationUrl.searchParams.get("resource")).toBe(path === "/mcp" ? `${stack.urls.worker}/mcp` : `${stack.urls.worker}/`);
    const clientId = authorizationUrl.searchParams.get("client_id");
    expect(clientId).toBe(provider.clientInformation()?.client_id);

    const signIn = await signInAsPerson(stack.network(), authorizationUrl, email);
    expect(signIn.consentShown).toBe(true);
    expect(signIn.clientRedirect.searchParams.get("iss")).toBe(stack.urls.worker);
    await first.finishAuth(signIn.code);
    expect(exchanges.at(-1)).toMatchObject({ method: "POST", path: "/token", status: 200, grantType: "authorization_code" });
    expect(provider.tokens()?.refresh_token).toBeTruthy();

    const client = new Client(CLIENT_INFO);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: fetchFn });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
    sessions.set(path, { url, email, provider, exchanges, client, transport });
  });

  it("lists the tools and calls echo; the gateway audits the call under the verified email", async () => {
    const { client, email, provider } = sessionFor(path);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["echo", "trigger-long-running-operation"]));
    expect(await echoText(client, `hello through ${path}`)).toBe(`Echo: hello through ${path}`);
    const audited = stack.auditLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(audited).toContainEqual(
      expect.objectContaining({
        email,
        clientId: provider.clientInformation()?.client_id,
        method: "tools/call",
        tool: "echo",
        status: 200,
      }),
    );
  });

  it("receives a tool's progress notifications in order, before its result", async () => {
    const { client } = sessionFor(path);
    expect(await progressEvents(client, 5)).toEqual([...oneTo(5), expect.stringContaining("Long running operation completed")]);
  });

  it("reads a resource", async () => {
    const { client } = sessionFor(path);
    expect(await readTextResource(client, 7)).toMatch(/^Resource 7: This is a plaintext resource/);
  });
});

describe(`when the access token expires (ACCESS_TOKEN_TTL_SECONDS=${TOKEN_TTL_SECONDS})`, () => {
  it.each(PATHS)(
    "%s: the Worker refuses the old token and the SDK refreshes it without failing the call",
    async (path) => {
      const session = sessionFor(path);
      const issued = session.provider.savedTokens.at(-1);
      if (!issued?.tokens.expires_in) throw new Error("the token response carried no expires_in");
      expect(issued.tokens.expires_in).toBeLessThanOrEqual(TOKEN_TTL_SECONDS);
      // Nothing announces an expiry: wait out the lifetime the token response stated, plus a second
      // (the library compares whole seconds). This is most of a real minute for the first path and
      // cannot be shorter: 60 s is the least the OAuth library accepts (KV's minimum expiration),
      // and the Worker's clock in workerd cannot be moved. The refresh itself takes milliseconds.
      const expiresAt = issued.savedAt + issued.tokens.expires_in * 1000 + 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now())));

      const stale = await fetch(session.url, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${issued.tokens.access_token}`,
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/list" }),
      });
      expect(stale.status).toBe(401);
      expect(stale.headers.get("WWW-Authenticate")).toContain("invalid_token");

      const before = session.exchanges.length;
      expect(await echoText(session.client, "after expiry")).toBe("Echo: after expiry");
      // The SDK may fetch the discovery documents again; what matters is 401 → refresh → retry.
      const renewal = summary(session.exchanges.slice(before)).filter((line) => !line.startsWith("GET /.well-known/"));
      expect(renewal).toEqual([`POST ${path} 401`, "POST /token 200 refresh_token", `POST ${path} 200`]);
      const renewed = session.provider.tokens();
      expect(renewed?.access_token).not.toBe(issued.tokens.access_token);
      expect(renewed?.refresh_token).not.toBe(issued.tokens.refresh_token);
    },
    (TOKEN_TTL_SECONDS + 60) * 1000,
  );
});

describe("revocation (RFC 7009) at /revoke", () => {
  async function revoke(session: Session, token: string, hint: "access_token" | "refresh_token"): Promise<void> {
    const clientId = session.provider.clientInformation()?.client_id;
    if (!clientId) throw new Error("no registered client");
    const response = await fetch(`${stack.urls.worker}/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: clientId }),
    });
    expect(response.status).toBe(200);
  }

  async function callWith(session: Session, accessToken: string): Promise<Response> {
    return fetch(session.url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${accessToken}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 100, method: "tools/list" }),
    });
  }

  it.each(PATHS)("%s: a revoked access token gets 401 with resource_metadata; the refresh token still renews access", async (path) => {
    const session = sessionFor(path);
    const tokens = session.provider.tokens();
    if (!tokens) throw new Error("no tokens");
    await revoke(session, tokens.access_token, "access_token");
    const refused = await callWith(session, tokens.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toContain(
      `resource_metadata="${stack.urls.worker}/.well-known/oauth-protected-resource`,
    );
    expect(await echoText(session.client, "after revoking the access token")).toBe("Echo: after revoking the access token");
    expect(session.provider.tokens()?.access_token).not.toBe(tokens.access_token);
  });

  it.each(PATHS)("%s: revoking the refresh token ends the grant: 401, and the client is sent to sign in again", async (path) => {
    const session = sessionFor(path);
    const tokens = session.provider.tokens();
    if (!tokens?.refresh_token) throw new Error("no refresh token");
    await revoke(session, tokens.refresh_token, "refresh_token");
    expect((await callWith(session, tokens.access_token)).status).toBe(401);

    const asked = session.provider.authorizationUrls.length;
    await expect(echoText(session.client, "after revocation")).rejects.toBeInstanceOf(UnauthorizedError);
    expect(session.provider.authorizationUrls.length).toBe(asked + 1);
  });
});
