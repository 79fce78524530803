/**
 * The gateway's hostile-input catalogue (issue 10 §6): every input it must refuse, in one table —
 * paths and methods, encodings, Host and Origin, tokens and identities, body size and media type,
 * malformed JSON and JSON-RPC, batches, the parser-differential cases, sessions, and HTTP/1.1
 * framing that Node's own client would refuse to send (written on a raw socket). Each case
 * asserts the status, a JSON error body that says what went wrong, and that the upstream
 * received nothing at all.
 */
import { GATEWAY_ENV, MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { rawRequest } from "./helpers/raw-http";
import type { RawResponse } from "./helpers/raw-http";
import { rawFirst } from "./helpers/raw-socket";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const NEXT_TOKEN = "f".repeat(64);
const LIMIT = 600_000;
let upstream: RecordingUpstream;
let gateway: TestGateway;
let aliceSession = "";

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = await startTestGateway({
    [GATEWAY_ENV.upstreamUrl]: upstream.url,
    [GATEWAY_ENV.serviceToken]: `${SERVICE_TOKEN},${NEXT_TOKEN}`,
    [GATEWAY_ENV.allowedEmails]: `${ALICE},${BOB}`,
    [GATEWAY_ENV.maxBodyBytes]: String(LIMIT),
    [GATEWAY_ENV.allowedHosts]: "gateway.internal",
    [GATEWAY_ENV.allowedOrigins]: "https://inspector.example.com",
  });
  const opened = await post(initializeBody());
  aliceSession = opened.headers[MCP_HEADERS.sessionId.toLowerCase()] as string;
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

/** A POST as the Worker sends it for Alice, with `headers` changed (undefined removes one). */
function post(
  body: string | Buffer,
  headers: Record<string, string | undefined> = {},
  path = "/mcp",
  method = "POST",
): Promise<RawResponse> {
  const all: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...gateway.headers(ALICE), ...MCP_POST_HEADERS, ...headers }))
    if (value !== undefined) all[name] = value;
  return rawRequest({ port: gateway.port, method, path, headers: all, ...(method === "GET" || method === "DELETE" ? {} : { body }) });
}

interface WireOptions {
  /** The request line (default `POST /mcp HTTP/1.1`). */
  line?: string;
  /** Send no Content-Length of the body's size. */
  length?: false;
  /** Leave out Alice's email header. */
  noEmail?: true;
  /** Write every character as one byte (to send bytes that are not UTF-8). */
  latin1?: true;
}

/** A request written byte for byte: request line, Alice's usual headers, `extra` header lines, body. */
function wire(body: string, extra: string[] = [], options: WireOptions = {}): Promise<RawResponse> {
  const lines = [
    options.line ?? "POST /mcp HTTP/1.1",
    "host: 127.0.0.1",
    `${MCPBOX_HEADERS.serviceToken}: ${SERVICE_TOKEN}`,
    ...(options.noEmail ? [] : [`${MCPBOX_HEADERS.userEmail}: ${ALICE}`]),
    "content-type: application/json",
    `accept: ${MCP_POST_HEADERS.accept}`,
    ...(options.length === false ? [] : [`content-length: ${Buffer.byteLength(body)}`]),
    ...extra,
    "connection: close",
  ];
  const text = `${lines.join("\r\n")}\r\n\r\n${body}`;
  return rawFirst(gateway.port, options.latin1 ? Buffer.from(text, "latin1") : text);
}

const PING = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
const CALL = toolCallBody("echo", { message: "hi" });
const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
const b64 = (text: string) => `=?base64?${Buffer.from(text, "utf8").toString("base64")}?=`;
const nested = (depth: number) =>
  `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":${"[".repeat(depth)}${"]".repeat(depth)}}}`;

const NOT_FOUND = "Not found: this gateway serves POST, GET and DELETE /mcp and GET /health only";
const HOST = /^Forbidden: the Host header (does not name this gateway|is malformed)/;
const ORIGIN = "Forbidden: browser requests from this Origin are not allowed (see GATEWAY_ALLOWED_ORIGINS)";
const TOKEN = /^Forbidden: the X-MCPbox-Service-Token header (does not match|is missing)/;
const MEDIA = "Unsupported media type: send the JSON-RPC body with Content-Type: application/json (UTF-8)";
const SYNTAX = /^Parse error: the request body is not valid JSON \(.+ at character \d+\)$/;
const NOT_RPC = /^Invalid request: the body is not a JSON-RPC 2\.0 message \(.+\)$/;
const DUPLICATE = /^Parse error: the request body repeats the member "[^"]+" in one object; send each member once$/;
const VARIANT = /^Invalid request: the member ".+" is a case or Unicode variant of "[a-zA-Z_]+"; spell JSON-RPC and MCP members exactly$/;
const MISMATCH = /^Bad request: the Mcp-(Method|Name) header .+; the headers must mirror the JSON-RPC body$/;
const MALFORMED = /^Bad request: the HTTP request is malformed: .+/;
const NO_SESSION = "Session not found: it was closed, timed out, or belongs to someone else; start a new session";
const NO_EMAIL = (what: string) =>
  `Forbidden: ${what} requires a verified email address. Your login did not include one, so this server allows only initialize, ping and notifications.`;

type Case = [name: string, send: () => Promise<RawResponse>, status: number, message: string | RegExp, rpcCode?: number];

const paths: Case[] = [
  ...[
    "/mcp/../admin",
    "/mcp/%2e%2e/admin",
    "/mcp/%2E%2E/admin",
    "/x/../mcp",
    "/./mcp",
    "//mcp",
    "/MCP",
    "/mcp/",
    "/mcp/admin",
    "/mcp%2fadmin",
    "/mcp\\..\\admin",
    "/",
    "/admin",
    "/%6dcp",
    "/mcp;x=1",
    "/mcp%00",
    "/health/../mcp",
    "http://127.0.0.1/mcp",
  ].map((path): Case => [`path ${path}`, () => post(CALL, {}, path), 404, NOT_FOUND]),
  ["a fragment in the target", () => wire(PING, [], { line: "POST /mcp#x HTTP/1.1" }), 404, NOT_FOUND],
  ["the asterisk form", () => wire("", [], { line: "OPTIONS * HTTP/1.1" }), 404, NOT_FOUND],
  ...["PUT", "PATCH", "OPTIONS", "TRACE"].map((method): Case => [`${method} /mcp`, () => post(CALL, {}, "/mcp", method), 404, NOT_FOUND]),
  ["CONNECT", () => wire("", [], { line: "CONNECT 127.0.0.1:80 HTTP/1.1" }), 404, NOT_FOUND],
  ["POST /health", () => post(CALL, {}, "/health"), 404, NOT_FOUND],
];

const hostsAndOrigins: Case[] = [
  ...["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:80", "mcp-gateway@evil.example", "localhost:http", "[::1"].map(
    (host): Case => [`Host ${host}`, () => post(CALL, { host }), 403, HOST],
  ),
  [
    "no Host header",
    () =>
      rawRequest({
        port: gateway.port,
        method: "POST",
        omitHost: true,
        headers: { ...gateway.headers(ALICE), ...MCP_POST_HEADERS },
        body: CALL,
      }),
    403,
    HOST,
  ],
  ["two Host headers", () => wire(PING, ["host: evil.example"]), 400, "Bad request: the request has more than one Host header"],
  ...[
    "https://evil.example",
    "null",
    "http://localhost.evil.example:8002",
    "http://localhost@evil.example",
    "http://127.1:8002",
    "file://",
    "http://localhost:8002/mcp",
  ].map((origin): Case => [`Origin ${origin}`, () => post(CALL, { origin }), 403, ORIGIN]),
];

const tokensAndIdentities: Case[] = [
  ["no service token", () => post(CALL, { [MCPBOX_HEADERS.serviceToken]: undefined }), 403, TOKEN],
  ...[
    ["a wrong token", "0".repeat(64)],
    ["a prefix of the token", SERVICE_TOKEN.slice(0, 32)],
    ["the token plus a character", `${SERVICE_TOKEN}0`],
    ["the token in upper case", SERVICE_TOKEN.toUpperCase()],
    ["both tokens at once", `${SERVICE_TOKEN},${NEXT_TOKEN}`],
    ["an empty token", ""],
  ].map(([name, token]): Case => [name as string, () => post(CALL, { [MCPBOX_HEADERS.serviceToken]: token }), 403, TOKEN]),
  [
    "the token as a bearer token",
    () => post(CALL, { [MCPBOX_HEADERS.serviceToken]: undefined, authorization: `Bearer ${SERVICE_TOKEN}` }),
    403,
    TOKEN,
  ],
  [
    "the token in the query string",
    () => post(CALL, { [MCPBOX_HEADERS.serviceToken]: undefined }, `/mcp?token=${SERVICE_TOKEN}`),
    403,
    TOKEN,
  ],
  ["the token header twice", () => wire(PING, [`${MCPBOX_HEADERS.serviceToken}: ${SERVICE_TOKEN}`]), 403, TOKEN],
  ["a NUL byte in the token", () => wire(PING, [`${MCPBOX_HEADERS.serviceToken}: ${SERVICE_TOKEN}\0`]), 400, MALFORMED],
  [
    "an email not on the allowlist",
    () => post(CALL, { [MCPBOX_HEADERS.userEmail]: "mallory@example.com" }),
    403,
    /^Forbidden: mallory@example\.com is not allowed/,
  ],
  [
    "two emails in one header",
    () => wire(PING, [`${MCPBOX_HEADERS.userEmail}: ${BOB}`]),
    403,
    /^Forbidden: X-MCPbox-User-Email is not a valid email address/,
  ],
  [
    "an email with a display name",
    () => post(CALL, { [MCPBOX_HEADERS.userEmail]: `Alice <${ALICE}>` }),
    403,
    /^Forbidden: X-MCPbox-User-Email is not a valid email/,
  ],
  [
    "an email of 255 characters",
    () => post(CALL, { [MCPBOX_HEADERS.userEmail]: `${"a".repeat(243)}@example.com` }),
    403,
    /^Forbidden: X-MCPbox-User-Email is not a valid email/,
  ],
  [
    "an email with bytes that are not UTF-8",
    () => wire(PING, [`${MCPBOX_HEADERS.userEmail}: \xffalice@example.com`], { noEmail: true, latin1: true }),
    403,
    /^Forbidden: X-MCPbox-User-Email/,
  ],
];

const bodies: Case[] = [
  [
    "a Content-Length over the limit",
    () => post(toolCallBody("echo", { message: "x".repeat(LIMIT) })),
    413,
    `Request body too large: this gateway accepts at most ${LIMIT} bytes (GATEWAY_MAX_BODY_BYTES)`,
  ],
  [
    "a chunked body that grows past the limit",
    () =>
      rawRequest({
        port: gateway.port,
        method: "POST",
        headers: { ...gateway.headers(ALICE), ...MCP_POST_HEADERS },
        chunks: [CALL.slice(0, 20), "x".repeat(LIMIT)],
      }),
    413,
    /^Request body too large/,
  ],
  ["Content-Type text/plain", () => post(CALL, { "content-type": "text/plain" }), 415, MEDIA],
  ["JSON in UTF-16", () => post(CALL, { "content-type": "application/json; charset=utf-16" }), 415, MEDIA],
  ["no Content-Type", () => post(CALL, { "content-type": undefined }), 415, MEDIA],
  ["a JSON-ish media type", () => post(CALL, { "content-type": "application/json-patch+json" }), 415, MEDIA],
  ["invalid JSON", () => post("{not json"), 400, SYNTAX],
  [
    "bytes that are not UTF-8",
    () => post(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","x":"\xff"}', "latin1")),
    400,
    "Parse error: the request body is not valid UTF-8",
  ],
  [
    "an overlong UTF-8 encoding of a quote",
    () => post(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","x":"'), Buffer.from([0xc0, 0xa2]), Buffer.from('"}')])),
    400,
    "Parse error: the request body is not valid UTF-8",
  ],
  ["an empty body", () => post(""), 400, SYNTAX],
  ["a byte order mark", () => post(`\ufeff${PING}`), 400, /^Parse error: the request body starts with a byte order mark/],
  ["text after the value", () => post(`${PING}x`), 400, SYNTAX],
  ["an unterminated string", () => post('{"jsonrpc":"2.0","id":1,"method":"ping'), 400, SYNTAX],
  ["an unterminated escape", () => post('{"jsonrpc":"2.0","id":1,"method":"ping\\'), 400, SYNTAX],
  ["an unterminated object", () => post('{"jsonrpc":"2.0","id":1,"method":"ping"'), 400, SYNTAX],
  ["two JSON values", () => post(`${PING}${PING}`), 400, SYNTAX],
  ["NaN", () => post('{"jsonrpc":"2.0","id":NaN,"method":"ping"}'), 400, SYNTAX],
  ["single quotes", () => post("{'jsonrpc':'2.0','id':1,'method':'ping'}"), 400, SYNTAX],
  ["a comment", () => post('{"jsonrpc":"2.0",/* hi */"id":1,"method":"ping"}'), 400, SYNTAX],
  ["a trailing comma", () => post('{"jsonrpc":"2.0","id":1,"method":"ping",}'), 400, SYNTAX],
  ["a number with a leading zero", () => post('{"jsonrpc":"2.0","id":01,"method":"ping"}'), 400, SYNTAX],
  ["a raw control character in a string", () => post('{"jsonrpc":"2.0","id":1,"method":"pi\tng"}'), 400, SYNTAX],
  ["a raw NUL byte in a string", () => post('{"jsonrpc":"2.0","id":1,"method":"ping\0"}'), 400, SYNTAX],
  [
    "an unpaired surrogate escape",
    () => post('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read\\ud800"}}'),
    400,
    /^Parse error: .+ surrogate pair; JSON text must be valid Unicode/,
  ],
  [
    "a number beyond the double range",
    () => post('{"jsonrpc":"2.0","id":1e400,"method":"ping"}'),
    400,
    /^Parse error: the request body holds a number beyond the range of a double/,
  ],
  [
    "10 000 levels of nesting",
    () => post(nested(10_000)),
    400,
    "Parse error: the request body nests arrays and objects deeper than 64 levels",
  ],
  ["65 levels of nesting", () => post(nested(63)), 400, "Parse error: the request body nests arrays and objects deeper than 64 levels"],
  ["a value that is not JSON-RPC", () => post('{"hello":"world"}'), 400, NOT_RPC],
  ["JSON-RPC 1.0", () => post('{"id":1,"method":"tools/list"}'), 400, NOT_RPC],
  ['"jsonrpc" as a number', () => post('{"jsonrpc":2.0,"id":1,"method":"ping"}'), 400, NOT_RPC],
  ["a request with a null id", () => post('{"jsonrpc":"2.0","id":null,"method":"ping"}'), 400, NOT_RPC],
  ["an object as id", () => post('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}'), 400, NOT_RPC],
  ["a boolean as id", () => post('{"jsonrpc":"2.0","id":true,"method":"ping"}'), 400, NOT_RPC],
  ["an integer id beyond 2^53", () => post('{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}'), 400, NOT_RPC],
  ["a method that is a number", () => post('{"jsonrpc":"2.0","id":1,"method":7}'), 400, NOT_RPC],
  ["params that are a string", () => post('{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}'), 400, NOT_RPC],
  ["a method with a result", () => post('{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}'), 400, NOT_RPC],
  ["a response with result and error", () => post('{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}'), 400, NOT_RPC],
];

const batches: Case[] = [
  ["an empty batch", () => post("[]"), 400, "Invalid request: the body is an empty batch"],
  [
    "a batch with a bad entry",
    () => post(`[${PING},42]`),
    400,
    /^Invalid request: the body is a batch entry that is not a JSON-RPC 2\.0 message/,
  ],
  [
    "a batch inside a batch",
    () => post(`[[${PING}]]`),
    400,
    /^Invalid request: the body is a batch entry that is not a JSON-RPC 2\.0 message/,
  ],
  [
    "a batch of 10 000 messages",
    () => post(JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ping(i)))),
    400,
    "Invalid request: the body is a batch of 10000 messages; this gateway accepts at most 100 per batch",
  ],
  [
    "a batch of 101 messages",
    () => post(JSON.stringify(Array.from({ length: 101 }, (_, i) => ping(i)))),
    400,
    /^Invalid request: the body is a batch of 101 messages/,
  ],
  [
    "two requests sharing an id",
    () => post(JSON.stringify([ping(1), ping(1)])),
    400,
    "Invalid request: two requests in the batch share the id 1; give each request its own id",
  ],
  [
    "a batch hiding tools/call from a caller without an email",
    () => post(`[${PING},${toolCallBody("echo", {}, 2)}]`, { [MCPBOX_HEADERS.userEmail]: undefined }),
    200,
    NO_EMAIL("tools/call"),
    -32001,
  ],
];

const differentials: Case[] = [
  [
    "Method beside method",
    () => post('{"jsonrpc":"2.0","id":2,"method":"ping","Method":"tools/call"}', { [MCPBOX_HEADERS.userEmail]: undefined }),
    400,
    VARIANT,
    -32600,
  ],
  [
    "params spelled with a long s",
    () => post('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"a"},"param\u017f":{"name":"b"}}'),
    400,
    VARIANT,
    -32600,
  ],
  [
    "progressToken spelled with a Kelvin sign",
    () => post('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"a","_meta":{"progressTo\u212Aen":1}}}'),
    400,
    VARIANT,
    -32600,
  ],
  [
    "Name beside name",
    () => post('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"read_file","Name":"delete_repo"}}'),
    400,
    VARIANT,
    -32600,
  ],
  [
    "ARGUMENTS beside arguments",
    () => post('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"a","arguments":{},"ARGUMENTS":{"x":1}}}'),
    400,
    VARIANT,
    -32600,
  ],
  ["a full-width m in method", () => post('{"jsonrpc":"2.0","id":6,"method":"ping","\uff4dethod":"tools/call"}'), 400, VARIANT, -32600],
  [
    "a zero-width space in method",
    () => post('{"jsonrpc":"2.0","id":7,"method":"ping","meth\u200bod":"tools/call"}'),
    400,
    VARIANT,
    -32600,
  ],
  ["a dotless i in id", () => post('{"jsonrpc":"2.0","id":8,"method":"ping","\u0131d":9}'), 400, VARIANT, -32600],
  [
    "method twice",
    () => post('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"x"},"method":"ping"}'),
    400,
    DUPLICATE,
    -32700,
  ],
  ["id twice", () => post('{"jsonrpc":"2.0","id":8,"id":9,"method":"ping"}'), 400, DUPLICATE, -32700],
  [
    "the tool name twice",
    () => post('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"delete_repo","name":"read_file"}}'),
    400,
    DUPLICATE,
    -32700,
  ],
  [
    "method twice, once escaped",
    () => post('{"jsonrpc":"2.0","id":10,"method":"tools/call","\\u006dethod":"ping"}'),
    400,
    DUPLICATE,
    -32700,
  ],
  [
    "a key twice deep in the arguments",
    () => post('{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"w","arguments":{"a":{"p":1,"p":2}}}}'),
    400,
    DUPLICATE,
    -32700,
  ],
  [
    "a request dressed as a notification, without an email",
    () => post('{"jsonrpc":"2.0","id":13,"method":"notifications/initialized"}', { [MCPBOX_HEADERS.userEmail]: undefined }),
    200,
    NO_EMAIL("notifications/initialized"),
    -32001,
  ],
  [
    "a notification that is not notifications/*, without an email",
    () => post('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}', { [MCPBOX_HEADERS.userEmail]: undefined }),
    403,
    NO_EMAIL("tools/call"),
    -32001,
  ],
  ["Mcp-Method naming another method", () => post(CALL, { [MCP_HEADERS.method]: "ping" }), 400, MISMATCH, -32020],
  ["Mcp-Name naming another tool", () => post(CALL, { [MCP_HEADERS.name]: "delete_repo" }), 400, MISMATCH, -32020],
  ["a base64 Mcp-Name naming another tool", () => post(CALL, { [MCP_HEADERS.name]: b64("delete_repo") }), 400, MISMATCH, -32020],
  ["a malformed base64 Mcp-Name", () => post(CALL, { [MCP_HEADERS.name]: "=?base64?***?=" }), 400, MISMATCH, -32020],
  ["Mcp-Name on a method without a name", () => post(PING, { [MCP_HEADERS.name]: "echo" }), 400, MISMATCH, -32020],
  [
    "one Mcp-Method for a batch of two methods",
    () => post(`[${PING},${toolCallBody("echo", {}, 2)}]`, { [MCP_HEADERS.method]: "ping" }),
    400,
    MISMATCH,
    -32020,
  ],
];

const sessions: Case[] = [
  ["a session id the gateway never handed out", () => post(CALL, { [MCP_HEADERS.sessionId]: "forged-session" }), 404, NO_SESSION, -32005],
  [
    "Alice's session used by Bob",
    () => post(CALL, { [MCP_HEADERS.sessionId]: aliceSession, [MCPBOX_HEADERS.userEmail]: BOB }),
    404,
    NO_SESSION,
    -32005,
  ],
  [
    "Alice's session deleted by a caller without an email",
    () => post("", { [MCP_HEADERS.sessionId]: aliceSession, [MCPBOX_HEADERS.userEmail]: undefined }, "/mcp", "DELETE"),
    404,
    NO_SESSION,
    -32005,
  ],
  ["Alice's session id with a suffix", () => post(CALL, { [MCP_HEADERS.sessionId]: `${aliceSession}x` }), 404, NO_SESSION, -32005],
  [
    "Alice's session id twice",
    () => wire(CALL, [`${MCP_HEADERS.sessionId}: ${aliceSession}`, `${MCP_HEADERS.sessionId}: ${aliceSession}`]),
    404,
    NO_SESSION,
    -32005,
  ],
];

const framing: Case[] = [
  ["Content-Length twice, different", () => wire(PING, ["content-length: 5"]), 400, MALFORMED],
  ["Content-Length twice, equal", () => wire(PING, [`content-length: ${PING.length}`]), 400, MALFORMED],
  ["Content-Length as a list", () => wire(PING, [`content-length: ${PING.length}, ${PING.length}`], { length: false }), 400, MALFORMED],
  ["Content-Length negative", () => wire(PING, ["content-length: -1"], { length: false }), 400, MALFORMED],
  ["Content-Length with a plus sign", () => wire(PING, [`content-length: +${PING.length}`], { length: false }), 400, MALFORMED],
  [
    "Transfer-Encoding with Content-Length",
    () => wire(`${PING.length.toString(16)}\r\n${PING}\r\n0\r\n\r\n`, ["transfer-encoding: chunked"]),
    400,
    MALFORMED,
  ],
  ["Transfer-Encoding gzip", () => wire(PING, ["transfer-encoding: gzip"], { length: false }), 400, MALFORMED],
  [
    "Transfer-Encoding chunked twice",
    () =>
      wire(`${PING.length.toString(16)}\r\n${PING}\r\n0\r\n\r\n`, ["transfer-encoding: chunked", "transfer-encoding: chunked"], {
        length: false,
      }),
    400,
    MALFORMED,
  ],
  ["a malformed chunk size", () => wire(`zz\r\n${PING}\r\n0\r\n\r\n`, ["transfer-encoding: chunked"], { length: false }), 400, MALFORMED],
  [
    "a chunk extension of 20 000 bytes",
    () =>
      wire(`${PING.length.toString(16)};${"x".repeat(20_000)}\r\n${PING}\r\n0\r\n\r\n`, ["transfer-encoding: chunked"], { length: false }),
    400,
    MALFORMED,
  ],
  ["an obs-fold header line", () => wire(PING, ["x-folded: a", " b"]), 400, MALFORMED],
  [
    "an obs-fold continuing the email",
    () => wire(PING, [`${MCPBOX_HEADERS.userEmail}: ${ALICE}`, `\t${BOB}`], { noEmail: true }),
    400,
    MALFORMED,
  ],
  ["a header value of 20 000 bytes", () => wire(PING, [`x-long: ${"a".repeat(20_000)}`]), 431, /^Request header fields too large/],
  [
    "3 000 header lines",
    () =>
      wire(
        PING,
        Array.from({ length: 3_000 }, (_, i) => `x-h${i}: 1`),
      ),
    431,
    /^Request header fields too large/,
  ],
  ["a NUL byte in a header value", () => wire(PING, ["x-nul: a\0b"]), 400, MALFORMED],
  ["a NUL byte in the path", () => wire(PING, [], { line: "POST /mcp\0 HTTP/1.1" }), 400, MALFORMED],
  ["a bare CR in a header value", () => wire(PING, ["x-cr: a\rb"]), 400, MALFORMED],
  ["a space before the colon", () => wire(PING, [`${MCP_HEADERS.method} : ping`]), 400, MALFORMED],
  [
    "lines ending in bare LF",
    () => rawFirst(gateway.port, `POST /mcp HTTP/1.1\nhost: 127.0.0.1\ncontent-length: ${PING.length}\n\n${PING}`),
    400,
    MALFORMED,
  ],
  ["a lower-case method", () => wire(PING, [], { line: "post /mcp HTTP/1.1" }), 400, MALFORMED],
  ["HTTP/1.2", () => wire(PING, [], { line: "POST /mcp HTTP/1.2" }), 400, MALFORMED],
  ["an HTTP/2 preface", () => rawFirst(gateway.port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 400, MALFORMED],
];

const catalogue: [string, Case[]][] = [
  ["paths and methods", paths],
  ["Host and Origin", hostsAndOrigins],
  ["tokens and identities", tokensAndIdentities],
  ["bodies", bodies],
  ["batches", batches],
  ["parser differentials", differentials],
  ["sessions", sessions],
  ["HTTP/1.1 framing", framing],
];

describe("the hostile-input catalogue", () => {
  it("holds at least 75 cases", () => {
    expect(catalogue.reduce((sum, [, cases]) => sum + cases.length, 0)).toBeGreaterThanOrEqual(75);
  });

  for (const [group, cases] of catalogue) {
    describe(group, () => {
      it.each(cases)("refuses %s", async (_name, send, status, message, rpcCode) => {
        const response = await send();
        expect(response.status).toBe(status);
        expect(response.headers["content-type"]).toBe("application/json");
        const body = response.json as
          { jsonrpc?: string; error?: { code?: number; message?: string } } | { error?: { code?: number; message?: string } }[];
        const first = Array.isArray(body) ? body[0] : body;
        expect(first?.error?.message ?? "", response.text).toMatch(
          typeof message === "string" ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : message,
        );
        if (rpcCode !== undefined) expect(first?.error?.code).toBe(rpcCode);
        expect(upstream.requests).toHaveLength(0);
      });
    });
  }
});

describe("the same gateway serves the well-formed requests the cases were bent from", () => {
  it("relays them, so every refusal above is about the bend alone", async () => {
    expect((await post(CALL)).status).toBe(200);
    expect((await wire(PING)).status).toBe(200);
    expect(
      (await post(CALL, { [MCP_HEADERS.sessionId]: aliceSession, [MCP_HEADERS.method]: "tools/call", [MCP_HEADERS.name]: b64("echo") }))
        .status,
    ).toBe(200);
    expect((await post(JSON.stringify(Array.from({ length: 100 }, (_, i) => ping(i))))).status).toBe(200);
    expect((await post(nested(62))).status).toBe(200);
    expect(upstream.requests).toHaveLength(5);
  });
});
