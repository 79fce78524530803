/**
 * Refusals and failures through the whole path, as the MCP client and the person see them: a user
 * not on the gateway's allowlist signs in but is refused with a message that says so; a wrong
 * service token in the Worker is the gateway's 403, passed on; the gateway down is a 502 JSON-RPC
 * error; the IdP down at the callback is the Worker's error page, answered at once.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { GATEWAY_ENV, JSONRPC_ERROR } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveAuthorization, loginAtDevIdp, prepareAuthorization, runAuthorizationCodeFlow } from "../src/test-kit";
import { echoText } from "./helpers/mcp";
import { startTestStack, type TestStack } from "./helpers/stack";

const ALLOWED = "alice@example.com";
const NOT_ALLOWED = "bob@example.com";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { [GATEWAY_ENV.allowedEmails]: ALLOWED } });
});

afterAll(async () => {
  await stack?.close();
});

async function accessTokenFor(target: TestStack, email: string): Promise<string> {
  const flow = await runAuthorizationCodeFlow(target.network(), { mcpUrl: target.urls.mcp, email });
  return flow.tokens.access_token;
}

function clientWith(target: TestStack, token: string): { client: Client; transport: StreamableHTTPClientTransport } {
  const transport = new StreamableHTTPClientTransport(new URL(target.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  return { client: new Client({ name: "refusals-e2e", version: "1.0.0" }), transport };
}

/** A raw tools/call, as any client would post it. */
function callTool(target: TestStack, token: string): Promise<Response> {
  return fetch(target.urls.mcp, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "echo", arguments: { message: "hi" } } }),
  });
}

async function jsonRpcError(response: Response): Promise<{ code: number; message: string }> {
  const body = (await response.json()) as { jsonrpc: string; error?: { code: number; message: string } };
  expect(body.jsonrpc).toBe("2.0");
  if (!body.error) throw new Error("no JSON-RPC error in the body");
  return body.error;
}

describe("a user who is not on the gateway's MCPBOX_ALLOWED_EMAILS", () => {
  it("completes the sign-in, but tools/call is refused with a 403 that names the allowlist", async () => {
    const token = await accessTokenFor(stack, NOT_ALLOWED);
    const refused = await callTool(stack, token);
    expect(refused.status).toBe(403);
    const error = await jsonRpcError(refused);
    expect(error.code).toBe(JSONRPC_ERROR.forbidden);
    expect(error.message).toContain(`${NOT_ALLOWED} is not allowed to use this MCP server`);
    expect(error.message).toContain(GATEWAY_ENV.allowedEmails);

    // An SDK client sees the same words when it connects.
    const { client, transport } = clientWith(stack, token);
    const failure = await client.connect(transport).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(failure).toBeInstanceOf(StreamableHTTPError);
    expect((failure as StreamableHTTPError).code).toBe(403);
    expect((failure as Error).message).toContain("is not allowed to use this MCP server");
    expect(stack.auditLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ status: 403, error: "email_not_allowed" }),
    );
  });

  it("while a listed user is served", async () => {
    const { client, transport } = clientWith(stack, await accessTokenFor(stack, ALLOWED));
    await client.connect(transport);
    expect(await echoText(client, "allowed")).toBe("Echo: allowed");
    await client.close();
  });
});

describe("the gateway stopped", () => {
  it("answers 502 with a JSON-RPC error naming the gateway, and serves again once it is back", async () => {
    const token = await accessTokenFor(stack, ALLOWED);
    await stack.gateway.stop();
    try {
      const response = await callTool(stack, token);
      expect(response.status).toBe(502);
      expect(response.headers.get("content-type")).toContain("application/json");
      const error = await jsonRpcError(response);
      expect(error.code).toBe(JSONRPC_ERROR.upstreamUnavailable);
      expect(error.message).toContain("The MCP gateway could not be reached");
    } finally {
      await stack.gateway.start();
    }
    const { client, transport } = clientWith(stack, token);
    await client.connect(transport);
    expect(await echoText(client, "back")).toBe("Echo: back");
    await client.close();
  });
});

describe("the IdP stopped", () => {
  it("between the login and the callback: the Worker answers its error page at once", async () => {
    const prepared = await prepareAuthorization(stack.network(), { mcpUrl: stack.urls.mcp });
    const { idpUrl } = await approveAuthorization(prepared);
    const callback = await loginAtDevIdp(prepared.browser, idpUrl.href, ALLOWED);
    await stack.idp.stop();
    try {
      const page = await prepared.browser.request(callback);
      expect(page.status).toBe(502);
      expect(page.headers.get("content-type")).toContain("text/html");
      const text = await page.text();
      expect(text).toContain("Sign-in with Cloudflare Access failed");
      expect(text).toContain("could not reach Cloudflare Access");
      // The page offers the way back to the MCP client with an OAuth error.
      expect(text).toContain("Return to the app that asked you to sign in");
    } finally {
      await stack.idp.start();
    }
  });
});

describe("a wrong service token in the Worker", () => {
  let wrong: TestStack;
  beforeAll(async () => {
    wrong = await startTestStack({ workerSecretOverrides: { MCPBOX_SERVICE_TOKEN: "0123456789abcdef".repeat(4) } });
  });
  afterAll(async () => {
    await wrong?.close();
  });

  it("is refused by the gateway with 403, and the client sees that 403", async () => {
    const response = await callTool(wrong, await accessTokenFor(wrong, ALLOWED));
    expect(response.status).toBe(403);
    const error = await jsonRpcError(response);
    expect(error.code).toBe(JSONRPC_ERROR.forbidden);
    expect(error.message).toContain("X-MCPbox-Service-Token header does not match");
    expect(wrong.auditLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ status: 403, error: "token_invalid", email: null }),
    );
  });
});
