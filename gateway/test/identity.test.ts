/**
 * Identity rules: an exact allowlist entry and a `*@domain` entry pass, anyone else gets 403, a
 * malformed or over-long email gets 403, and a caller without an email may only do the handshake.
 * Decisions follow the JSON-RPC body (batches included), never the advisory Mcp-Method header.
 */
import { GATEWAY_ENV, MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

let upstream: RecordingUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = await startTestGateway({
    [GATEWAY_ENV.upstreamUrl]: upstream.url,
    [GATEWAY_ENV.allowedEmails]: "alice@example.com, *@team.example.org",
  });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

function send(body: string, email?: string, headers: Record<string, string> = {}, method = "POST") {
  return rawRequest({
    port: gateway.port,
    method,
    headers: { ...gateway.headers(email), ...MCP_POST_HEADERS, ...headers },
    ...(method === "POST" ? { body } : {}),
  });
}

const NO_EMAIL = (methods: string) =>
  `Forbidden: ${methods} requires a verified email address. Your login did not include one, so this server allows only initialize, ping and notifications.`;

describe("allowlist", () => {
  it("lets an exact entry through (case-insensitively) and forwards the verified email", async () => {
    const response = await send(toolCallBody("echo", { message: "hi" }), "Alice@Example.com");
    expect(response.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers[MCPBOX_HEADERS.userEmail.toLowerCase()]).toBe("Alice@Example.com");
  });

  it("lets any address of a *@domain entry through", async () => {
    expect((await send(toolCallBody("echo", { message: "hi" }), "zoe@team.example.org")).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });

  it.each(["mallory@example.com", "alice@example.com.evil.net", "someone@sub.team.example.org", "alice@evil.example"])(
    "refuses %s with 403 and names the address",
    async (email) => {
      const response = await send(initializeBody(), email);
      expect(response.status).toBe(403);
      expect(errorMessage(response)).toBe(
        `Forbidden: ${email} is not allowed to use this MCP server; ask its owner to add you to MCPBOX_ALLOWED_EMAILS`,
      );
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it.each([
    ["not an address", "alice"],
    ["two addresses", "alice@example.com, bob@example.com"],
    ["a display name", "Alice <alice@example.com>"],
    ["an empty value", ""],
    ["255 characters", `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(58)}.com`],
  ])("refuses an email header that is %s with 403", async (name, email) => {
    if (name === "255 characters") expect(email).toHaveLength(255);
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(), ...MCP_POST_HEADERS, [MCPBOX_HEADERS.userEmail]: email },
      body: initializeBody(),
    });
    expect(response.status).toBe(403);
    expect(errorMessage(response)).toBe("Forbidden: X-MCPbox-User-Email is not a valid email address of at most 254 characters");
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("no email: the handshake only", () => {
  it.each([
    ["initialize", initializeBody()],
    ["ping", '{"jsonrpc":"2.0","id":5,"method":"ping"}'],
    ["notifications/initialized", '{"jsonrpc":"2.0","method":"notifications/initialized"}'],
    [
      "a batch of handshake messages",
      '[{"jsonrpc":"2.0","id":5,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}]',
    ],
  ])("relays %s", async (_name, body) => {
    expect((await send(body)).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers[MCPBOX_HEADERS.userEmail.toLowerCase()]).toBeUndefined();
  });

  it("answers tools/call with a JSON-RPC error that says why, carrying the request id", async () => {
    const response = await send(toolCallBody("echo", { message: "hi" }, 42));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ jsonrpc: "2.0", id: 42, error: { code: -32001, message: NO_EMAIL("tools/call") } });
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuses a whole batch that hides tools/call between pings", async () => {
    const body = JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { message: "x" } } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
    ]);
    const response = await send(body);
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      { jsonrpc: "2.0", id: 1, error: { code: -32001, message: NO_EMAIL("tools/call") } },
      { jsonrpc: "2.0", id: 2, error: { code: -32001, message: NO_EMAIL("tools/call") } },
    ]);
    expect(upstream.requests).toHaveLength(0);
  });

  it("judges the body, never an Mcp-Method header that claims ping: one that disagrees is refused outright", async () => {
    const response = await send(toolCallBody("echo", { message: "hi" }, 7), undefined, { [MCP_HEADERS.method]: "ping" });
    expect(response.status).toBe(400);
    expect((response.json as { error: { code: number } }).error.code).toBe(-32020);
    expect(errorMessage(response)).toBe(
      'Bad request: the Mcp-Method header ("ping") does not match the body\'s method ("tools/call"); the headers must mirror the JSON-RPC body',
    );
    expect(upstream.requests).toHaveLength(0);
    const agreeing = await send(toolCallBody("echo", { message: "hi" }, 8), undefined, { [MCP_HEADERS.method]: "tools/call" });
    expect(agreeing.json).toEqual({ jsonrpc: "2.0", id: 8, error: { code: -32001, message: NO_EMAIL("tools/call") } });
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuses a response to a server request with 403", async () => {
    const response = await send('{"jsonrpc":"2.0","id":"srv-1","result":{}}');
    expect(response.status).toBe(403);
    expect(errorMessage(response)).toBe(NO_EMAIL("a response"));
    expect(upstream.requests).toHaveLength(0);
  });

  it("offers no GET stream (405, so SDK clients carry on without one) but allows DELETE of its session", async () => {
    const opened = await send(initializeBody());
    const session = opened.headers[MCP_HEADERS.sessionId.toLowerCase()] as string;
    expect(session).toBeDefined();
    upstream.requests.length = 0;
    const get = await send("", undefined, { accept: "text/event-stream", [MCP_HEADERS.sessionId]: session }, "GET");
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST, DELETE");
    expect(errorMessage(get)).toContain("no server-to-client stream without a verified email");
    expect(upstream.requests).toHaveLength(0);
    const del = await send("", undefined, { [MCP_HEADERS.sessionId]: session }, "DELETE");
    expect(del.status).toBe(200);
    expect(upstream.requests.map((r) => r.method)).toEqual(["DELETE"]);
  });
});
