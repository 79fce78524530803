/**
 * The local stack with Access refresh tokens on, as `npm start` runs it with
 * ACCESS_RECHECK_SECONDS=0 (every refresh asks the development IdP): refreshes pass and the new
 * token calls tools, they keep passing after the IdP restarts (its store file keeps refresh
 * tokens, as Access would), and once the user is removed at the IdP the refresh is refused and
 * the tokens stop working.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WORKER_VAR_NAMES } from "@mcpbox/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postForm, runAuthorizationCodeFlow, type FlowResult } from "../src/test-kit";
import { echoText } from "./helpers/mcp";
import { startTestStack, type TestStack } from "./helpers/stack";

const EMAIL = "recheck@example.com";
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { [WORKER_VAR_NAMES.accessRecheckSeconds]: "0" } });
});

afterAll(async () => {
  await stack?.close();
});

function refresh(flow: FlowResult, refreshToken: string) {
  return postForm(stack.network(), flow.discovery.authorizationServer.token_endpoint, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: flow.client.client_id });
}

async function echoWith(token: string): Promise<string> {
  const client = new Client({ name: "recheck-e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  try {
    return await echoText(client, "re-checked");
  } finally {
    await client.close();
  }
}

it("re-checks at the IdP on each refresh, across an IdP restart, until the user is removed there", async () => {
  const flow = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: EMAIL });
  const first = await refresh(flow, flow.tokens.refresh_token ?? "");
  expect(first.status).toBe(200);
  expect(await echoWith(String(first.body.access_token))).toBe("Echo: re-checked");

  await stack.idp.stop();
  await stack.idp.start();
  const second = await refresh(flow, String(first.body.refresh_token));
  expect(second.status).toBe(200);
  expect(stack.logLines.join("\n")).toContain("access_recheck_passed");

  await stack.idp.current?.removeAccount(EMAIL);
  const refused = await refresh(flow, String(second.body.refresh_token));
  expect(refused.status).toBe(400);
  expect(refused.body.error).toBe("invalid_grant");
  const call = await fetch(stack.urls.mcp, {
    method: "POST",
    headers: { Authorization: `Bearer ${String(second.body.access_token)}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  expect(call.status).toBe(401);
});
