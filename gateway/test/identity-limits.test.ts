/**
 * Limits per identity (issue 10 §2): one caller cannot take every session or every request slot
 * of the gateway. Each verified email has its own allowance of sessions
 * (`GATEWAY_MAX_SESSIONS_PER_USER`) and of requests in flight (`GATEWAY_MAX_CONCURRENT_PER_USER`);
 * callers without an email share one. A body of notifications only never starts a stdio child.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StdioUpstream } from "../src/index";
import { MCP_POST_HEADERS, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { connectClient } from "./helpers/mcp-client";
import { helperStdioCommand } from "./helpers/processes";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream, UpstreamHandler } from "./helpers/recording-upstream";
import { gate } from "./helpers/sse-stream";
import type { Gate } from "./helpers/sse-stream";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const SESSION_HEADER = MCP_HEADERS.sessionId.toLowerCase();

function post(g: TestGateway, body: string, email?: string, headers: Record<string, string> = {}) {
  return rawRequest({ port: g.port, method: "POST", headers: { ...g.headers(email), ...MCP_POST_HEADERS, ...headers }, body });
}

describe("with a Streamable HTTP upstream", () => {
  let upstream: RecordingUpstream;
  let gateway: TestGateway;
  let held: Gate = gate();
  let sessions = 0;
  const handler: UpstreamHandler = (req, res, body) => {
    const message = JSON.parse(body || "{}") as { id?: unknown; method?: string; params?: { name?: string } };
    const answer = () => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (message.method === "initialize") headers[SESSION_HEADER] = `session-${++sessions}`;
      res.writeHead(200, headers);
      res.end(req.method === "DELETE" ? undefined : JSON.stringify({ jsonrpc: "2.0", id: message.id ?? null, result: {} }));
    };
    if (message.params?.name === "slow") void held.opened.then(answer);
    else answer();
  };

  beforeAll(async () => {
    upstream = await startRecordingUpstream(handler);
    gateway = await startTestGateway({
      [GATEWAY_ENV.upstreamUrl]: upstream.url,
      [GATEWAY_ENV.maxSessionsPerUser]: "2",
      [GATEWAY_ENV.maxConcurrentPerUser]: "3",
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const inSession = (session: string, body: string, email?: string) => post(gateway, body, email, { [MCP_HEADERS.sessionId]: session });
  const sessionOf = (response: { headers: Record<string, unknown> }) => response.headers[SESSION_HEADER] as string;

  it("gives up a user's least recently used idle session for a new one, and refuses with 429 while all are busy", async () => {
    const first = sessionOf(await post(gateway, initializeBody(), ALICE));
    const second = sessionOf(await post(gateway, initializeBody(), ALICE));
    expect((await inSession(second, toolCallBody("echo", {}), ALICE)).status).toBe(200);
    // At the allowance of 2: the third session takes the place of the least recently used one.
    const third = sessionOf(await post(gateway, initializeBody(), ALICE));
    expect(third).toBeDefined();
    await expect.poll(() => upstream.requests.some((r) => r.method === "DELETE" && r.headers[SESSION_HEADER] === first)).toBe(true);
    upstream.requests.length = 0;
    expect((await inSession(first, toolCallBody("echo", {}), ALICE)).status).toBe(404);
    expect(upstream.requests).toHaveLength(0);

    // With both remaining sessions busy, nothing can give way.
    upstream.requests.length = 0;
    held = gate();
    const busy = [inSession(second, toolCallBody("slow", {}), ALICE), inSession(third, toolCallBody("slow", {}), ALICE)];
    await expect.poll(() => upstream.requests.filter((r) => r.body.includes('"slow"')).length).toBe(2);
    const before = upstream.requests.length;
    const refused = await post(gateway, initializeBody(), ALICE);
    expect(refused.status).toBe(429);
    expect(errorMessage(refused)).toBe(
      `Too many MCP sessions for ${ALICE}: at most 2 at once per user (GATEWAY_MAX_SESSIONS_PER_USER), and all of them are busy; retry when one is done`,
    );
    expect(upstream.requests).toHaveLength(before);
    // Another user is not affected.
    expect((await post(gateway, initializeBody(), BOB)).status).toBe(200);
    held.open();
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200]);
    expect((await inSession(second, toolCallBody("echo", {}), ALICE)).status).toBe(200);
  });

  it("counts every caller without an email against one shared allowance", async () => {
    const first = sessionOf(await post(gateway, initializeBody()));
    const second = sessionOf(await post(gateway, initializeBody()));
    // A third caller without an email takes the place of the first one's session: they share one allowance.
    expect((await post(gateway, initializeBody())).status).toBe(200);
    expect((await inSession(first, '{"jsonrpc":"2.0","id":5,"method":"ping"}')).status).toBe(404);
    expect((await inSession(second, '{"jsonrpc":"2.0","id":6,"method":"ping"}')).status).toBe(200);
  });

  it("refuses a fourth request in flight of one user with 429 and Retry-After, while another user is served", async () => {
    upstream.requests.length = 0;
    held = gate();
    const slow = [1, 2, 3].map(() => post(gateway, toolCallBody("slow", {}), ALICE));
    await expect.poll(() => upstream.requests.filter((r) => r.body.includes('"slow"')).length).toBe(3);
    const before = upstream.requests.length;
    const fourth = await post(gateway, toolCallBody("echo", {}), ALICE);
    expect(fourth.status).toBe(429);
    expect(fourth.headers["retry-after"]).toBe("1");
    expect(errorMessage(fourth)).toBe(
      `Too many requests in flight for ${ALICE}: at most 3 at once per user (GATEWAY_MAX_CONCURRENT_PER_USER); wait for one to finish and retry`,
    );
    expect(upstream.requests).toHaveLength(before);
    expect((await post(gateway, toolCallBody("echo", {}), BOB)).status).toBe(200);
    held.open();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await post(gateway, toolCallBody("echo", {}), ALICE)).status).toBe(200);
  });
});

describe("with a stdio upstream", () => {
  let gateway: TestGateway | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mcpbox-limits-"));
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const starts = async (file: string) => (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean).length;

  it("answers a body of notifications only without starting a child", async () => {
    const file = join(dir, "notifications.txt");
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: helperStdioCommand("counting-server.ts", file) });
    const batch =
      '[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}]';
    for (const body of ['{"jsonrpc":"2.0","method":"notifications/initialized"}', batch]) {
      for (const email of [ALICE, undefined]) {
        const response = await post(gateway, body, email);
        expect(response.status).toBe(202);
        expect(response.text).toBe("");
      }
    }
    expect((gateway.upstream as StdioUpstream).sessions()).toHaveLength(0);
    // A request does start one: the count below would have caught the notifications.
    const { client } = await connectClient(gateway.url, gateway.headers(ALICE));
    await client.close();
    expect(await starts(file)).toBe(1);
  });

  it("ends a user's idle session to make room for their next one, without touching another user's", async () => {
    const file = join(dir, "sessions.txt");
    gateway = await startTestGateway({
      [GATEWAY_ENV.upstreamCommand]: helperStdioCommand("counting-server.ts", file),
      [GATEWAY_ENV.maxSessionsPerUser]: "1",
    });
    const stdio = gateway.upstream as StdioUpstream;
    const bob = await connectClient(gateway.url, gateway.headers(BOB));
    const first = await connectClient(gateway.url, gateway.headers(ALICE));
    const firstId = first.transport.sessionId as string;
    const second = await connectClient(gateway.url, gateway.headers(ALICE));
    expect(await starts(file)).toBe(3);
    await expect.poll(() => stdio.sessions().map((s) => s.id)).not.toContain(firstId);
    expect(
      stdio
        .sessions()
        .map((s) => s.id)
        .sort(),
    ).toEqual([bob.transport.sessionId, second.transport.sessionId].sort());
    const gone = await post(gateway, toolCallBody("echo", {}), ALICE, { [MCP_HEADERS.sessionId]: firstId });
    expect(gone.status).toBe(404);
    expect((await second.client.callTool({ name: "echo", arguments: {} })).content).toEqual([{ type: "text", text: "ok" }]);
    await first.client.close();
    await second.transport.terminateSession();
    await bob.transport.terminateSession();
  });
});
