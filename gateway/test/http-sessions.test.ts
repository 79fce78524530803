/**
 * Sessions of a Streamable HTTP upstream belong to the identity that opened them (issue 10 §2),
 * as stdio sessions already do: a session id is not a credential, so another user, or a caller
 * without an email, presenting it gets 404 and the upstream sees nothing. Audit lines carry a
 * digest of the session id, never the id itself.
 */
import { createHash } from "node:crypto";
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream, UpstreamHandler } from "./helpers/recording-upstream";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
let upstream: RecordingUpstream;
let gateway: TestGateway;
let nextSession = 0;

/** A stateful upstream: initialize opens a session with a fresh id; the rest answers in it. */
const statefulHandler: UpstreamHandler = (req, res, body) => {
  const message = JSON.parse(body || "{}") as { id?: unknown; method?: string };
  if (req.method === "DELETE") {
    res.writeHead(200);
    return res.end();
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (message.method === "initialize") headers[SESSION_HEADER] = `upstream-session-${++nextSession}-${"x".repeat(24)}`;
  res.writeHead(200, headers);
  res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id ?? null, result: {} }));
};

beforeAll(async () => {
  upstream = await startRecordingUpstream(statefulHandler);
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.allowedEmails]: `${ALICE},${BOB}` });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.handler = statefulHandler;
});

async function openSession(email?: string): Promise<string> {
  const response = await rawRequest({
    port: gateway.port,
    method: "POST",
    headers: { ...gateway.headers(email), ...MCP_POST_HEADERS },
    body: initializeBody(),
  });
  expect(response.status).toBe(200);
  const id = response.headers[SESSION_HEADER];
  expect(typeof id).toBe("string");
  return id as string;
}

/** A request in `session`: a POST is a tools/call, or a ping from a caller without an email (who may send one). */
function inSession(method: "POST" | "GET" | "DELETE", session: string, email?: string) {
  const body = email ? toolCallBody("echo", { message: "hi" }) : '{"jsonrpc":"2.0","id":7,"method":"ping"}';
  return rawRequest({
    port: gateway.port,
    method,
    headers: { ...gateway.headers(email), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: session },
    ...(method === "POST" ? { body } : {}),
  });
}

const NOT_FOUND = "Session not found: it was closed, timed out, or belongs to someone else; start a new session";

describe("a session belongs to the identity that opened it", () => {
  it("relays Alice's calls in her own session", async () => {
    const session = await openSession(ALICE);
    expect((await inSession("POST", session, ALICE)).status).toBe(200);
    expect(upstream.requests.map((r) => r.headers[SESSION_HEADER])).toEqual([undefined, session]);
  });

  it.each([
    ["Bob", BOB, "POST"],
    ["Bob", BOB, "GET"],
    ["Bob", BOB, "DELETE"],
    ["a caller without an email", undefined, "DELETE"],
    ["a caller without an email", undefined, "POST"],
  ] as const)("answers 404 when %s uses Alice's session id (%s), and relays nothing", async (_who, email, method) => {
    const session = await openSession(ALICE);
    upstream.requests.length = 0;
    const response = await inSession(method, session, email);
    expect(response.status).toBe(404);
    expect(errorMessage(response)).toBe(NOT_FOUND);
    expect(upstream.requests).toHaveLength(0);
    // Alice's session is untouched.
    expect((await inSession("POST", session, ALICE)).status).toBe(200);
  });

  it("answers 404 to a session id the gateway never handed out", async () => {
    const response = await inSession("POST", "made-up-session-id", ALICE);
    expect(response.status).toBe(404);
    expect(errorMessage(response)).toBe(NOT_FOUND);
    expect(upstream.requests).toHaveLength(0);
  });

  it("forgets a session once it is deleted, and one the upstream no longer knows", async () => {
    const deleted = await openSession(ALICE);
    expect((await inSession("DELETE", deleted, ALICE)).status).toBe(200);
    expect((await inSession("POST", deleted, ALICE)).status).toBe(404);

    const expired = await openSession(ALICE);
    upstream.handler = (_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}');
    };
    expect((await inSession("POST", expired, ALICE)).status).toBe(404);
    upstream.handler = statefulHandler;
    upstream.requests.length = 0;
    expect((await inSession("POST", expired, ALICE)).status).toBe(404);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("audit lines", () => {
  it("carry a digest of the session id, never the id", async () => {
    const before = gateway.auditLines.length;
    const session = await openSession(ALICE);
    await inSession("POST", session, ALICE);
    await inSession("POST", session, BOB);
    const lines = (await gateway.waitForAudit(before + 3)).slice(before).join("");
    expect(lines).not.toContain(session);
    const digest = createHash("sha256").update(session).digest("hex").slice(0, 16);
    const entries = lines
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { session: string | null; email: string | null });
    expect(entries.filter((e) => e.session === digest).map((e) => e.email)).toEqual([ALICE, ALICE, BOB]);
  });
});
