/**
 * The tool policy (issue 13) on the hardened gateway (issue 10), together: the policy decides on
 * the strict parse and what it lets through of a batch is relayed re-serialized; a foreign or
 * stale session id is answered 404 before the policy judges or charges anything; audit lines carry
 * the session digest beside the policy's decision; and the policy's rate limit and the gateway's
 * own per-user allowance answer 429 with JSON-RPC codes and audit reasons of their own.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GATEWAY_ENV, JSONRPC_ERROR, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestGateway } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { auditEntries, manualClock, openRawSession, policyDir } from "./helpers/policy";
import type { PolicyDir, RawSession } from "./helpers/policy";
import { rawRequest } from "./helpers/raw-http";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";
import { gate } from "./helpers/sse-stream";
import type { Gate } from "./helpers/sse-stream";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();
const BURST = 6;

const POLICY = `
default: deny
rate_limit: { requests_per_minute: 60, burst: ${BURST} }
rules:
  - name: alice-everything
    users: [${ALICE}]
    allow: all
  - name: bob-echo-only
    users: [${BOB}]
    allow:
      tools: [echo]
  - name: bob-never-deletes
    users: [${BOB}]
    deny:
      tools: ["delete*"]
`;

const TOOLS = [
  { name: "echo", inputSchema: { type: "object" } },
  { name: "delete_all", inputSchema: { type: "object" } },
];

interface Message {
  id?: string | number;
  method?: string;
  params?: { name?: string };
}

let sessions = 0;
let held: Gate = gate();

/** A stateful MCP server in miniature: sessions on initialize, 202 for notifications, a tool list, a tool that waits. */
function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.method === "DELETE") {
    res.writeHead(200);
    res.end();
    return;
  }
  const parsed = JSON.parse(body) as Message | Message[];
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  const requests = messages.filter((m) => m.id !== undefined);
  if (requests.length === 0) {
    res.writeHead(202);
    res.end();
    return;
  }
  const results = requests.map((m) => ({
    jsonrpc: "2.0",
    id: m.id,
    result: m.method === "tools/list" ? { tools: TOOLS } : { content: [{ type: "text", text: `ran ${m.params?.name ?? m.method}` }] },
  }));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (messages.some((m) => m.method === "initialize")) headers[SESSION_HEADER] = `upstream-session-${++sessions}`;
  const send = () => {
    res.writeHead(200, headers);
    res.end(JSON.stringify(Array.isArray(parsed) ? results : results[0]));
  };
  if (messages.some((m) => m.params?.name === "slow")) void held.opened.then(send);
  else send();
}

const digest = (id: string) => createHash("sha256").update(id, "utf8").digest("hex").slice(0, 16);
const call = (id: number, name: string) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } });

let upstream: RecordingUpstream;
let gateway: TestGateway;
let policy: PolicyDir;
const clock = manualClock();

beforeAll(async () => {
  upstream = await startRecordingUpstream(answer);
  policy = await policyDir(POLICY);
  gateway = await startTestGateway(
    { [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.policy]: policy.path, [GATEWAY_ENV.maxConcurrentPerUser]: "1" },
    { now: clock.now },
  );
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await policy?.remove();
});
beforeEach(() => {
  // Every test starts with full buckets.
  clock.advance(60_000);
  upstream.requests.length = 0;
});

/** A POST in `session` (its headers, perhaps another user's email) with a body sent as written. */
function postText(session: RawSession, text: string, email: string, extra: Record<string, string> = {}) {
  return rawRequest({
    port: gateway.port,
    method: "POST",
    headers: { ...session.headers, ...gateway.headers(email), ...extra },
    body: text,
  });
}

describe("the tool policy on the strict parse", () => {
  it("relays the allowed rest of a partly refused batch as re-serialized JSON, never the client's bytes", async () => {
    const bob = await openRawSession(gateway, BOB);
    upstream.requests.length = 0;
    // Escapes, spacing and a trailing zero the upstream must not see; a refused call it must not see at all.
    const text = `[ {"jsonrpc":"2.0", "id":1, "method":"tools/call", "params":{"name":"\\u0065cho", "arguments":{"n":1.50}}},
      {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"delete_all","arguments":{}}} ]`;
    const response = await postText(bob, text, BOB);

    expect(response.status).toBe(200);
    expect(upstream.requests.map((r) => r.body)).toEqual([
      '[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"n":1.5}}}]',
    ]);
    expect(upstream.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(response.json).toEqual([
      { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "ran echo" }] } },
      {
        jsonrpc: "2.0",
        id: 2,
        error: {
          code: JSONRPC_ERROR.forbidden,
          message: `Forbidden by the gateway's tool policy (rule "bob-never-deletes"): rule "bob-never-deletes" denies tool "delete_all". Ask the owner of this MCP server if you need it.`,
        },
      },
    ]);
  });

  it("cannot be talked past by member variants, duplicates or routing headers, and charges nothing for them", async () => {
    const bob = await openRawSession(gateway, BOB);
    upstream.requests.length = 0;
    const hostile: [string, Record<string, string>, number][] = [
      ['{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","Name":"delete_all"}}', {}, JSONRPC_ERROR.invalidRequest],
      ['{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","name":"delete_all"}}', {}, JSONRPC_ERROR.parseError],
      ['{"jsonrpc":"2.0","id":3,"method":"ping","Method":"tools/call","params":{"name":"delete_all"}}', {}, JSONRPC_ERROR.invalidRequest],
      ['{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","ｎａｍｅ":"delete_all"}}', {}, JSONRPC_ERROR.invalidRequest],
      [
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"delete_all"}}',
        { [MCP_HEADERS.name]: "echo" },
        JSONRPC_ERROR.headerMismatch,
      ],
      [
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"delete_all"}}',
        { [MCP_HEADERS.method]: "ping" },
        JSONRPC_ERROR.headerMismatch,
      ],
      ['{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"delete_all"}', {}, JSONRPC_ERROR.parseError],
    ];
    expect(hostile.length).toBeGreaterThan(BURST);
    for (const [text, headers, code] of hostile) {
      const response = await postText(bob, text, BOB, headers);
      expect([text, response.status, (response.json as { error?: { code: number } }).error?.code]).toEqual([text, 400, code]);
    }
    expect(upstream.requests).toHaveLength(0);
    const lines = auditEntries(gateway).slice(-hostile.length);
    expect(lines.map((e) => [e.status, e.decision])).toEqual(hostile.map(() => [400, undefined]));
    // Refused before the policy: none of them took from Bob's bucket.
    expect((await bob.call("tools/call", { name: "echo", arguments: {} })).result).toBeDefined();
  });
});

describe("the tool policy with sessions bound to their owner", () => {
  it("answers another user's session id with 404 before the policy judges or charges anything", async () => {
    const alice = await openRawSession(gateway, ALICE);
    const linesBefore = gateway.auditLines.length;
    upstream.requests.length = 0;
    const attempts = [
      call(5, "delete_all"),
      { jsonrpc: "2.0", id: 6, method: "tools/list" },
      call(7, "echo"),
      call(8, "echo"),
      call(9, "echo"),
      call(10, "echo"),
      call(11, "echo"),
    ];
    expect(attempts.length).toBeGreaterThan(BURST);
    for (const body of attempts) {
      const response = await postText(alice, JSON.stringify(body), BOB);
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ error: { code: JSONRPC_ERROR.sessionNotFound } });
    }
    expect(upstream.requests).toHaveLength(0);
    const lines = (await gateway.waitForAudit(linesBefore + attempts.length))
      .slice(linesBefore)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((e) => [e.email, e.error, e.decision, e.session])).toEqual(
      attempts.map(() => [BOB, "session_not_found", undefined, digest(alice.id)]),
    );

    // Bob's own session: a fresh bucket (7 refusals above took nothing), and a filtered list.
    const bob = await openRawSession(gateway, BOB);
    const list = await bob.call("tools/list", {});
    expect(list.result?.tools).toEqual([TOOLS[0]]);
    // Alice, in hers, sees every tool.
    expect((await alice.call("tools/list", {})).result?.tools).toEqual(TOOLS);
  });

  it("writes the session digest and the policy's decision on the same audit line, never the session id", async () => {
    const bob = await openRawSession(gateway, BOB);
    const before = gateway.auditLines.length;
    const refused = await bob.call("tools/call", { name: "delete_all", arguments: {} });
    expect(refused.error?.code).toBe(JSONRPC_ERROR.forbidden);
    await bob.call("tools/list", {});
    const lines = (await gateway.waitForAudit(before + 2)).slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((e) => [e.method, e.session, e.decision, e.rule, e.error])).toEqual([
      ["tools/call", digest(bob.id), "refused", "bob-never-deletes", "policy_denied"],
      // delete_all is hidden from Bob's list by the deny rule.
      ["tools/list", digest(bob.id), "filtered", "bob-never-deletes", null],
    ]);
    expect(gateway.auditLines.some((line) => line.includes(bob.id))).toBe(false);
  });
});

describe("two kinds of 429", () => {
  it("tells the gateway's requests-in-flight allowance from the policy's rate limit, on the wire and in the audit log", async () => {
    const alice = await openRawSession(gateway, ALICE); // 2 of the burst
    held = gate();
    const slow = alice.post(call(20, "slow")); // 3
    await expect.poll(() => upstream.requests.some((r) => r.body.includes('"slow"'))).toBe(true);
    const busy = await postText(alice, JSON.stringify(call(21, "echo")), ALICE);
    held.open();
    expect((await slow).response.status).toBe(200);

    expect(busy.status).toBe(429);
    expect(busy.headers["retry-after"]).toBe("1");
    expect(busy.json).toMatchObject({ error: { code: JSONRPC_ERROR.limitReached } });

    // The in-flight refusal read no body and took nothing from the bucket: three more calls fit.
    for (const id of [22, 23, 24]) expect((await alice.post(call(id, "echo"))).response.status).toBe(200);
    const limited = await postText(alice, JSON.stringify(call(25, "echo")), ALICE);
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("1");
    expect(limited.json).toEqual({
      jsonrpc: "2.0",
      id: 25,
      error: {
        code: JSONRPC_ERROR.rateLimited,
        message: `Too many requests: the gateway's policy (rate_limit) allows 60 requests a minute (bursts of ${BURST}); retry in 1 s`,
      },
    });
    expect(JSONRPC_ERROR.limitReached).not.toBe(JSONRPC_ERROR.rateLimited);

    const refusals = auditEntries(gateway).filter((e) => e.status === 429);
    expect(refusals.map((e) => [e.error, e.decision, e.rule, e.session])).toEqual([
      ["too_many_requests", undefined, undefined, digest(alice.id)],
      ["rate_limited", "rate_limited", "rate_limit", digest(alice.id)],
    ]);
  });
});
