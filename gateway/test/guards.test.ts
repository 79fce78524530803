/**
 * Every bad input the gateway must refuse before the upstream sees a byte: paths and methods
 * outside the allowlist (including traversal and encoding tricks), Host and Origin that fail the
 * DNS-rebinding guard, missing or wrong service tokens, oversized and malformed bodies. Each test
 * checks the status, the message the user sees, and that the upstream received nothing.
 */
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { rawExchange } from "./helpers/raw-socket";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

const EMAIL = "dana@example.com";
const NEXT_TOKEN = "f".repeat(64);
const LIMIT = 1024;
let upstream: RecordingUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = await startTestGateway({
    [GATEWAY_ENV.upstreamUrl]: upstream.url,
    [GATEWAY_ENV.serviceToken]: `${SERVICE_TOKEN},${NEXT_TOKEN}`,
    [GATEWAY_ENV.maxBodyBytes]: String(LIMIT),
    [GATEWAY_ENV.allowedHosts]: "gateway.internal",
    [GATEWAY_ENV.allowedOrigins]: "https://inspector.example.com",
  });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

/** A well-formed tools/call POST from the Worker, with `changes` applied. */
function post(
  changes: { path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: string[] } = {},
) {
  const { path, method, headers, body, chunks } = changes;
  return rawRequest({
    port: gateway.port,
    method: method ?? "POST",
    path: path ?? "/mcp",
    headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS, ...headers },
    ...(chunks ? { chunks } : { body: body ?? toolCallBody("echo", { message: "hi" }) }),
  });
}

const NOT_FOUND = "Not found: this gateway serves POST, GET and DELETE /mcp and GET /health only";

describe("path and method allowlist", () => {
  it.each([
    ["traversal", "/mcp/../admin"],
    ["encoded traversal", "/mcp/%2e%2e/admin"],
    ["upper-case encoded traversal", "/mcp/%2E%2E/admin"],
    ["traversal back into /mcp", "/x/../mcp"],
    ["dot segment", "/./mcp"],
    ["double slash", "//mcp"],
    ["upper case", "/MCP"],
    ["trailing slash", "/mcp/"],
    ["sub-path", "/mcp/admin"],
    ["encoded slash", "/mcp%2fadmin"],
    ["backslash", "/mcp\\..\\admin"],
    ["root", "/"],
    ["unknown path", "/admin"],
    ["absolute-form target", "http://127.0.0.1/mcp"],
  ])("answers 404 JSON to a %s (%s)", async (_name, path) => {
    const response = await post({ path });
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(errorMessage(response)).toBe(NOT_FOUND);
    expect(upstream.requests).toHaveLength(0);
  });

  it.each(["PUT", "PATCH", "OPTIONS", "HEAD"])("answers 404 to %s /mcp", async (method) => {
    const response = await post({ method });
    expect(response.status).toBe(404);
    if (method !== "HEAD") expect(errorMessage(response)).toBe(NOT_FOUND);
    expect(upstream.requests).toHaveLength(0);
  });

  it("answers 404 to POST /health and 404 before 403 to a bad path without a token", async () => {
    expect((await post({ path: "/health" })).status).toBe(404);
    const response = await rawRequest({ port: gateway.port, path: "/admin" });
    expect(response.status).toBe(404);
    expect(upstream.requests).toHaveLength(0);
  });

  it('serves GET /health with exactly {"status":"ok"}, without a token', async () => {
    const response = await rawRequest({ port: gateway.port, path: "/health" });
    expect(response.status).toBe(200);
    expect(response.text).toBe('{"status":"ok"}');
  });
});

describe("Host and Origin (DNS rebinding)", () => {
  it.each(["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:80", "mcp-gateway@evil.example"])(
    "refuses Host %s with 403",
    async (host) => {
      const response = await post({ headers: { host } });
      expect(response.status).toBe(403);
      expect(errorMessage(response)).toMatch(/^Forbidden: the Host header (does not name this gateway|is malformed)/);
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it("refuses a request without a Host header with 403 JSON", async () => {
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      omitHost: true,
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS },
      body: toolCallBody("echo", {}),
    });
    expect(response.status).toBe(403);
    expect(errorMessage(response)).toMatch(/^Forbidden: the Host header/);
    expect(upstream.requests).toHaveLength(0);
  });

  it("accepts the built-in and configured host names", async () => {
    for (const host of ["localhost:8002", "mcp-gateway:8002", "gateway.internal", "LOCALHOST"]) {
      expect((await post({ headers: { host } })).status).toBe(200);
    }
    expect(upstream.requests).toHaveLength(4);
  });

  it.each([
    "https://evil.example",
    "null",
    "http://localhost.evil.example:8002",
    "http://127.0.0.1.evil.example",
    "http://localhost@evil.example",
    "http://127.1:8002",
  ])("refuses a browser Origin %s with 403", async (origin) => {
    const response = await post({ headers: { origin } });
    expect(response.status).toBe(403);
    expect(errorMessage(response)).toBe("Forbidden: browser requests from this Origin are not allowed (see GATEWAY_ALLOWED_ORIGINS)");
    expect(upstream.requests).toHaveLength(0);
  });

  it("accepts a page on this machine's loopback interface, any port (MCP DNS-rebinding advice)", async () => {
    for (const origin of ["http://localhost:8002", "http://127.0.0.1:6274", "http://[::1]:3000", "https://localhost"]) {
      expect((await post({ headers: { origin } })).status).toBe(200);
    }
    expect(upstream.requests).toHaveLength(4);
  });

  it("accepts a configured Origin", async () => {
    expect((await post({ headers: { origin: "https://inspector.example.com" } })).status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
  });
});

describe("service token", () => {
  const withoutToken = () => {
    const headers: Record<string, string> = { [MCPBOX_HEADERS.userEmail]: EMAIL, ...MCP_POST_HEADERS };
    return headers;
  };

  it("refuses a request without the token with 403, never 401", async () => {
    const response = await rawRequest({ port: gateway.port, method: "POST", headers: withoutToken(), body: initializeBody() });
    expect(response.status).toBe(403);
    expect(errorMessage(response)).toBe(
      "Forbidden: the X-MCPbox-Service-Token header is missing; only the MCPbox Worker may call this gateway",
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it.each([
    ["a wrong token", "0".repeat(64)],
    ["a prefix of the token", SERVICE_TOKEN.slice(0, 32)],
    ["the token plus a character", `${SERVICE_TOKEN}0`],
    ["the token in upper case", SERVICE_TOKEN.toUpperCase()],
    ["both tokens at once", `${SERVICE_TOKEN},${NEXT_TOKEN}`],
    ["an empty value", ""],
  ])("refuses %s with 403", async (_name, token) => {
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...withoutToken(), [MCPBOX_HEADERS.serviceToken]: token },
      body: initializeBody(),
    });
    expect(response.status).toBe(403);
    expect(errorMessage(response)).toMatch(/^Forbidden: the X-MCPbox-Service-Token header (does not match|is missing)/);
    expect(upstream.requests).toHaveLength(0);
  });

  it("accepts either token during a rotation", async () => {
    for (const token of [SERVICE_TOKEN, NEXT_TOKEN]) {
      const response = await rawRequest({
        port: gateway.port,
        method: "POST",
        headers: { ...withoutToken(), [MCPBOX_HEADERS.serviceToken]: token },
        body: initializeBody(),
      });
      expect(response.status).toBe(200);
    }
    expect(upstream.requests).toHaveLength(2);
  });
});

describe("request body", () => {
  it("refuses a body whose Content-Length exceeds the limit with 413", async () => {
    const response = await post({ body: toolCallBody("echo", { message: "x".repeat(LIMIT) }) });
    expect(response.status).toBe(413);
    expect(errorMessage(response)).toBe(`Request body too large: this gateway accepts at most ${LIMIT} bytes (GATEWAY_MAX_BODY_BYTES)`);
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuses a chunked body that grows past the limit with 413", async () => {
    const text = toolCallBody("echo", { message: "y".repeat(LIMIT) });
    const response = await post({ chunks: [text.slice(0, 600), text.slice(600, 1200), text.slice(1200)] });
    expect(response.status).toBe(413);
    expect(errorMessage(response)).toContain("Request body too large");
    expect(upstream.requests).toHaveLength(0);
  });

  describe("a Content-Length body, however its bytes arrive", () => {
    /** The raw bytes of a POST /mcp with `body`; the last one of a connection asks to close it. */
    const wire = (body: string, close = true) =>
      [
        "POST /mcp HTTP/1.1",
        "host: 127.0.0.1",
        ...Object.entries({ ...gateway.headers(EMAIL), ...MCP_POST_HEADERS }).map(([name, value]) => `${name}: ${value}`),
        `content-length: ${Buffer.byteLength(body)}`,
        ...(close ? ["connection: close"] : []),
        "",
        body,
      ].join("\r\n");
    const first = toolCallBody("echo", { message: "first" });
    const second = toolCallBody("echo", { message: "second" });

    it.each([
      ["with its head, in one write", (text: string) => [text]],
      [
        "after its head, in a write of its own",
        (text: string) => [text.slice(0, text.indexOf("\r\n\r\n") + 4), text.slice(text.indexOf("\r\n\r\n") + 4)],
      ],
      ["partly with its head, the rest later", (text: string) => [text.slice(0, -12), text.slice(-12)]],
      ["a byte at a time at its end", (text: string) => [text.slice(0, -3), ...text.slice(-3)]],
    ])("relays it whole when it arrives %s", async (_how, split) => {
      const [response] = await rawExchange(gateway.port, split(wire(first)));
      expect(response?.status).toBe(200);
      expect(upstream.requests.map((r) => r.body)).toEqual([first]);
    });

    it("relays two pipelined requests that share one write, each with its own body", async () => {
      const responses = await rawExchange(gateway.port, wire(first, false) + wire(second));
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      expect(upstream.requests.map((r) => r.body)).toEqual([first, second]);
    });
  });

  it("accepts a chunked body under the limit", async () => {
    const text = toolCallBody("echo", { message: "small" });
    const response = await post({ chunks: [text.slice(0, 10), text.slice(10)] });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]?.body).toBe(text);
  });

  it.each([
    ["invalid JSON", "{not json", 400, "Parse error: the request body is not valid JSON (a member name was expected at character 1)"],
    [
      "invalid UTF-8",
      Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","x":"\xff"}', "latin1"),
      400,
      "Parse error: the request body is not valid UTF-8",
    ],
    [
      "a JSON value that is not JSON-RPC",
      '{"hello":"world"}',
      400,
      'Invalid request: the body is not a JSON-RPC 2.0 message (its "jsonrpc" member is not "2.0")',
    ],
    [
      "JSON-RPC 1.0",
      '{"id":1,"method":"tools/list"}',
      400,
      'Invalid request: the body is not a JSON-RPC 2.0 message (its "jsonrpc" member is not "2.0")',
    ],
    ["an empty batch", "[]", 400, "Invalid request: the body is an empty batch"],
    [
      "a batch with a bad entry",
      '[{"jsonrpc":"2.0","id":1,"method":"ping"},42]',
      400,
      "Invalid request: the body is a batch entry that is not a JSON-RPC 2.0 message (it is not a JSON object)",
    ],
    [
      "an empty body",
      "",
      400,
      "Parse error: the request body is not valid JSON (the end of the text where a value was expected at character 0)",
    ],
  ])("refuses %s", async (_name, body, status, message) => {
    const response = await post({ body });
    expect(response.status).toBe(status);
    expect(errorMessage(response)).toBe(message);
    expect(upstream.requests).toHaveLength(0);
  });
});
