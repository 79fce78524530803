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
      [GATEWAY_ENV.maxConcurrentPerUser]: "2",
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it("refuses a third session of one user with 429, while another user still gets one", async () => {
    const first = await post(gateway, initializeBody(), ALICE);
    const second = await post(gateway, initializeBody(), ALICE);
    expect([first.status, second.status]).toEqual([200, 200]);
    upstream.requests.length = 0;
    const third = await post(gateway, initializeBody(), ALICE);
    expect(third.status).toBe(429);
    expect(errorMessage(third)).toBe(
      `Too many MCP sessions for ${ALICE}: at most 2 at once per user (GATEWAY_MAX_SESSIONS_PER_USER); close one and retry`,
    );
    expect(upstream.requests).toHaveLength(0);
    expect((await post(gateway, initializeBody(), BOB)).status).toBe(200);

    // Closing one frees its place.
    const closed = await rawRequest({ port: gateway.port, method: "DELETE", headers: { ...gateway.headers(ALICE), [MCP_HEADERS.sessionId]: first.headers[SESSION_HEADER] as string } });
    expect(closed.status).toBe(200);
    expect((await post(gateway, initializeBody(), ALICE)).status).toBe(200);
  });

  it("counts every caller without an email against one shared allowance", async () => {
    expect((await post(gateway, initializeBody())).status).toBe(200);
    expect((await post(gateway, initializeBody())).status).toBe(200);
    upstream.requests.length = 0;
    const third = await post(gateway, initializeBody());
    expect(third.status).toBe(429);
    expect(errorMessage(third)).toBe(
      "Too many MCP sessions for callers without an email: at most 2 at once per user (GATEWAY_MAX_SESSIONS_PER_USER); close one and retry",
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it("refuses a third request in flight of one user with 429 and Retry-After, while another user is served", async () => {
    held = gate();
    const slow = [post(gateway, toolCallBody("slow", {}), ALICE), post(gateway, toolCallBody("slow", {}), ALICE)];
    await expect.poll(() => upstream.requests.filter((r) => r.body.includes('"slow"')).length).toBe(2);
    const before = upstream.requests.length;
    const third = await post(gateway, toolCallBody("echo", {}), ALICE);
    expect(third.status).toBe(429);
    expect(third.headers["retry-after"]).toBe("1");
    expect(errorMessage(third)).toBe(
      `Too many requests in flight for ${ALICE}: at most 2 at once per user (GATEWAY_MAX_CONCURRENT_PER_USER); wait for one to finish and retry`,
    );
    expect(upstream.requests).toHaveLength(before);
    expect((await post(gateway, toolCallBody("echo", {}), BOB)).status).toBe(200);
    held.open();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
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
    const batch = '[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}]';
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

  it("refuses a user's second session with 429 while another user starts theirs", async () => {
    const file = join(dir, "sessions.txt");
    gateway = await startTestGateway({
      [GATEWAY_ENV.upstreamCommand]: helperStdioCommand("counting-server.ts", file),
      [GATEWAY_ENV.maxSessionsPerUser]: "1",
    });
    const alice = await connectClient(gateway.url, gateway.headers(ALICE));
    const refused = await post(gateway, initializeBody(), ALICE);
    expect(refused.status).toBe(429);
    expect(errorMessage(refused)).toBe(`Too many MCP sessions for ${ALICE}: at most 1 at once per user (GATEWAY_MAX_SESSIONS_PER_USER); close one and retry`);
    expect(await starts(file)).toBe(1);
    const bob = await connectClient(gateway.url, gateway.headers(BOB));
    expect(await starts(file)).toBe(2);
    await alice.transport.terminateSession();
    await bob.transport.terminateSession();
  });
});
