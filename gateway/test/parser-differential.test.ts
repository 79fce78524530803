/**
 * One message seen alike by every hop (issue 10 §1). The gateway decides on its own parse of the
 * body; a server whose JSON parser differs (Go's encoding/json folds key case and keeps the last
 * duplicate, other parsers keep the first) must not be handed another message. Each case is an
 * exploit that went through the old gateway: now it is refused before the upstream sees a byte,
 * or the upstream receives exactly the message the gateway authorized and audited.
 */
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { jsonResultHandler, startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

const ALICE = "alice@example.com";
let upstream: RecordingUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.allowedEmails]: ALICE });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.handler = jsonResultHandler;
});

function send(body: string, email?: string, headers: Record<string, string> = {}) {
  return rawRequest({ port: gateway.port, method: "POST", headers: { ...gateway.headers(email), ...MCP_POST_HEADERS, ...headers }, body });
}

const rpcCode = (response: { json: unknown }) => (response.json as { error?: { code?: number } }).error?.code;

describe("member names that another parser reads differently", () => {
  it.each([
    // The issue's case: a caller without an email passes as `ping`; Go runs tools/call.
    [
      "a case variant of method",
      '{"jsonrpc":"2.0","id":2,"method":"ping","Method":"tools/call","params":{"name":"delete_everything"}}',
      undefined,
      "Method",
      "method",
    ],
    // U+017F LATIN SMALL LETTER LONG S folds to "s": Go reads paramſ as params.
    [
      "params spelled with a long s",
      '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_file"},"param\u017f":{"name":"delete_repo"}}',
      ALICE,
      "param\u017f",
      "params",
    ],
    // U+212A KELVIN SIGN folds to "k".
    [
      "progressToken spelled with a Kelvin sign",
      '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","_meta":{"progressTo\u212Aen":1}}}',
      ALICE,
      "progressTo\u212Aen",
      "progressToken",
    ],
    // Audited as read_file, but a case-folding server calls delete_repo.
    [
      "a case variant of the tool name",
      '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"read_file","Name":"delete_repo"}}',
      ALICE,
      "Name",
      "name",
    ],
    [
      "a full-width letter in method",
      '{"jsonrpc":"2.0","id":6,"method":"ping","\uff4dethod":"tools/call"}',
      undefined,
      "\uff4dethod",
      "method",
    ],
    [
      "an invisible character in method",
      '{"jsonrpc":"2.0","id":7,"method":"ping","meth\u200bod":"tools/call"}',
      undefined,
      "meth\u200bod",
      "method",
    ],
  ])("refuses %s and relays nothing", async (_name, body, email, variant, member) => {
    const response = await send(body, email);
    expect(response.status).toBe(400);
    expect(rpcCode(response)).toBe(-32600);
    expect(errorMessage(response)).toBe(
      `Invalid request: the member ${JSON.stringify(variant)} is a case or Unicode variant of "${member}"; spell JSON-RPC and MCP members exactly`,
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it.each([
    // A first-key-wins parser runs tools/call; JSON.parse kept the last, ping.
    ["method", '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"delete_everything"},"method":"ping"}', undefined],
    ["the tool name", '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"delete_repo","name":"read_file"}}', ALICE],
    [
      "a member spelled once with an escape",
      '{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"x"},"\\u006dethod":"ping"}',
      undefined,
    ],
    [
      "a key deep inside the tool arguments",
      '{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"write","arguments":{"path":"/tmp/a","path":"/etc/passwd"}}}',
      ALICE,
    ],
  ])("refuses a duplicate %s and relays nothing", async (_name, body, email) => {
    const response = await send(body, email);
    expect(response.status).toBe(400);
    expect(rpcCode(response)).toBe(-32700);
    expect(errorMessage(response)).toMatch(
      /^Parse error: the request body repeats the member "[^"]+" in one object; send each member once$/,
    );
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("the relayed bytes are the message the gateway decided on", () => {
  it("re-serializes the parsed message instead of relaying the client's bytes", async () => {
    const body =
      '{ "jsonrpc" : "2.0", "id" : 12, "method" : "tools/call", "params" : { "name" : "ech\\u006f", "arguments" : { "n" : 1.50, "big" : 123456789012345678901234567890 } } }';
    const response = await send(body, ALICE);
    expect(response.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    // Whitespace and escapes gone, the tool name as audited, big integers kept digit for digit.
    expect(upstream.requests[0]?.body).toBe(
      '{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"echo","arguments":{"n":1.5,"big":123456789012345678901234567890}}}',
    );
    expect(upstream.requests[0]?.headers["content-length"]).toBe(String(Buffer.byteLength(upstream.requests[0]?.body ?? "")));
    const audit = JSON.parse((await gateway.waitForAudit(1)).at(-1) as string) as { tool: string };
    expect(audit.tool).toBe("echo");
  });
});

describe("only id-less messages are notifications", () => {
  it("refuses a request with an id whose method looks like a notification, from a caller without an email", async () => {
    const response = await send('{"jsonrpc":"2.0","id":13,"method":"notifications/initialized"}');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      jsonrpc: "2.0",
      id: 13,
      error: {
        code: -32001,
        message:
          "Forbidden: notifications/initialized requires a verified email address. Your login did not include one, so this server allows only initialize, ping and notifications.",
      },
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it("still relays a real notification from a caller without an email", async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(202);
      res.end();
    };
    const response = await send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    expect(response.status).toBe(202);
    expect(upstream.requests).toHaveLength(1);
  });
});

describe("Mcp-Method and Mcp-Name must mirror the body", () => {
  const base64 = (text: string) => `=?base64?${Buffer.from(text, "utf8").toString("base64")}?=`;

  it.each([
    [
      "Mcp-Method names another method",
      { [MCP_HEADERS.method]: "tools/list", [MCP_HEADERS.name]: "echo" },
      'the Mcp-Method header ("tools/list") does not match the body\'s method ("tools/call")',
    ],
    [
      "Mcp-Name names another tool",
      { [MCP_HEADERS.method]: "tools/call", [MCP_HEADERS.name]: "read_file" },
      'the Mcp-Name header ("read_file") does not match the body\'s name ("echo")',
    ],
    [
      "a base64 Mcp-Name names another tool",
      { [MCP_HEADERS.name]: base64("réad_file") },
      'the Mcp-Name header ("réad_file") does not match the body\'s name ("echo")',
    ],
    ["Mcp-Name is malformed base64", { [MCP_HEADERS.name]: "=?base64?%%%?=" }, "the Mcp-Name header is not valid base64-encoded UTF-8"],
  ])("refuses a request where %s, and relays nothing", async (_name, headers, detail) => {
    const response = await send(toolCallBody("echo", { message: "hi" }), ALICE, headers);
    expect(response.status).toBe(400);
    expect(rpcCode(response)).toBe(-32020);
    expect(errorMessage(response)).toBe(`Bad request: ${detail}; the headers must mirror the JSON-RPC body`);
    expect(upstream.requests).toHaveLength(0);
  });

  it("relays headers that agree with the body, base64 included", async () => {
    const body = toolCallBody("écho", { message: "hi" });
    const response = await send(body, ALICE, { [MCP_HEADERS.method]: "tools/call", [MCP_HEADERS.name]: base64("écho") });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]?.headers[MCP_HEADERS.method.toLowerCase()]).toBe("tools/call");
    expect(upstream.requests[0]?.headers[MCP_HEADERS.name.toLowerCase()]).toBe(base64("écho"));
  });

  it("does not relay Mcp-Method or Mcp-Name on a GET or DELETE, which have no body to check them against", async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(405);
      res.end();
    };
    const response = await rawRequest({
      port: gateway.port,
      method: "GET",
      headers: {
        ...gateway.headers(ALICE),
        accept: "text/event-stream",
        [MCP_HEADERS.method]: "tools/call",
        [MCP_HEADERS.name]: "delete_repo",
      },
    });
    expect(response.status).toBe(405);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers[MCP_HEADERS.method.toLowerCase()]).toBeUndefined();
    expect(upstream.requests[0]?.headers[MCP_HEADERS.name.toLowerCase()]).toBeUndefined();
  });
});
