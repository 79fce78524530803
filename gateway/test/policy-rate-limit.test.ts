/**
 * Per-identity rate limits, through the real gateway in front of server-everything over HTTP,
 * with the gateway's clock in the test's hands (no sleeping): a burst is used up, the next
 * request gets 429 with Retry-After and a JSON-RPC error, and after that many seconds it passes.
 * Each identity has its own bucket; a rule can lift the limit.
 */
import { GATEWAY_ENV, JSONRPC_ERROR } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter } from "../src/policy/rate-limit";
import { startTestGateway } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { auditEntries, manualClock, openRawSession, policyDir } from "./helpers/policy";
import type { PolicyDir } from "./helpers/policy";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";

const POLICY = `
rate_limit:
  requests_per_minute: 60   # one a second
  burst: 4
rules:
  - name: owner-unlimited
    users: [owner@example.com]
    rate_limit: off
`;

const echo = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { message: `n${id}` } } });

let upstream: RunningServer;
let gateway: TestGateway;
let policy: PolicyDir;
const clock = manualClock();

beforeAll(async () => {
  upstream = await startEverythingHttp();
  policy = await policyDir(POLICY);
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.policy]: policy.path }, { now: clock.now });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await policy?.remove();
});

describe("rate limits through the gateway", () => {
  it("refuses past the burst with 429, Retry-After and a JSON-RPC error, and recovers when the time has passed", async () => {
    // initialize and notifications/initialized take two of the four.
    const hammer = await openRawSession(gateway, "hammer@example.com");
    expect((await hammer.post(echo(1))).response.status).toBe(200);
    expect((await hammer.post(echo(2))).response.status).toBe(200);

    const { response, messages } = await hammer.post(echo(3));
    expect(response.status).toBe(429);
    expect(response.headers["retry-after"]).toBe("1");
    expect(messages).toEqual([
      {
        jsonrpc: "2.0",
        id: 3,
        error: {
          code: JSONRPC_ERROR.rateLimited,
          message: "Too many requests: the gateway's policy (rate_limit) allows 60 requests a minute (bursts of 4); retry in 1 s",
        },
      },
    ]);

    // Another identity has a bucket of its own.
    const other = await openRawSession(gateway, "other@example.com");
    expect((await other.post(echo(4))).response.status).toBe(200);

    clock.advance(999);
    expect((await hammer.post(echo(5))).response.status).toBe(429);
    clock.advance(1);
    const after = await hammer.post(echo(6));
    expect(after.response.status).toBe(200);
    expect(after.messages[0]?.result?.content).toEqual([{ type: "text", text: "Echo: n6" }]);

    const limited = auditEntries(gateway).filter((e) => e.decision === "rate_limited");
    expect(limited.map((e) => [e.email, e.status, e.rule, e.error])).toEqual([
      ["hammer@example.com", 429, "rate_limit", "rate_limited"],
      ["hammer@example.com", 429, "rate_limit", "rate_limited"],
    ]);
  });

  it("counts every message of a batch, and says when a batch can never fit the burst", async () => {
    const batcher = await openRawSession(gateway, "batcher@example.com");
    const { response, messages } = await batcher.post([echo(1), echo(2), echo(3), echo(4), echo(5)]);
    expect(response.status).toBe(429);
    expect(messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
    expect(messages[0]?.error?.message).toContain(
      "this body holds 5 messages and the gateway's policy (rate_limit) allows bursts of 4; send fewer at a time",
    );
  });

  it("lets a rule lift the limit", async () => {
    const owner = await openRawSession(gateway, "owner@example.com");
    for (let i = 0; i < 10; i++) expect((await owner.post(echo(i))).response.status).toBe(200);
  });
});

describe("token bucket", () => {
  const limit = { requestsPerMinute: 6, burst: 2 };

  it("refills at the configured rate, never beyond the burst", () => {
    const limiter = new RateLimiter();
    expect(limiter.take("a", limit, 1, 0).ok).toBe(true);
    expect(limiter.take("a", limit, 1, 0).ok).toBe(true);
    expect(limiter.take("a", limit, 1, 0)).toEqual({ ok: false, retryAfterSeconds: 10, neverFits: false });
    expect(limiter.take("a", limit, 1, 9_999).ok).toBe(false);
    expect(limiter.take("a", limit, 1, 10_000).ok).toBe(true);
    // An hour idle refills to the burst, not to 360.
    expect(limiter.take("a", limit, 2, 3_610_000).ok).toBe(true);
    expect(limiter.take("a", limit, 1, 3_610_000).ok).toBe(false);
  });

  it("does not go back in time when the clock does", () => {
    const limiter = new RateLimiter();
    limiter.take("a", limit, 2, 50_000);
    expect(limiter.take("a", limit, 1, 0).ok).toBe(false);
    expect(limiter.take("a", limit, 1, 60_000).ok).toBe(true);
  });

  it("forgets identities whose buckets are full again once many are tracked", () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 10_000; i++) limiter.take(`user${i}`, limit, 1, 0);
    expect(limiter.size).toBe(10_000);
    limiter.take("newcomer", limit, 1, 60_000);
    expect(limiter.size).toBe(1);
  });
});
