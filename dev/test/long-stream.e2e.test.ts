/**
 * A long-running SSE response through the whole path reaches the client whole, in order, and as
 * it happens. In production terms: a tool call that runs for 2 minutes or more and reports
 * progress every few seconds (the keepalive spacing that keeps idle proxies from cutting it),
 * well past the gateway's and the Worker's timeouts for the first response byte. Here the
 * gateway's timeout is shortened to 500 ms and the stream lasts 3 s (6× it, 100 ms apart); set
 * MCPBOX_E2E_LONG_STREAM_SECONDS (and _INTERVAL_MS) to run it at full length.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { GATEWAY_ENV } from "@mcpbox/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAuthorizationCodeFlow } from "../src/test-kit";
import { oneTo } from "./helpers/mcp";
import { startTestStack, type TestStack } from "./helpers/stack";

const FULL_LENGTH_SECONDS = Number(process.env.MCPBOX_E2E_LONG_STREAM_SECONDS ?? 0);
const SHORTENED = !(FULL_LENGTH_SECONDS > 0);
const STREAM = SHORTENED
  ? { durationMs: 3_000, intervalMs: 100, gatewayFirstByteTimeoutMs: 500 }
  : { durationMs: FULL_LENGTH_SECONDS * 1000, intervalMs: Number(process.env.MCPBOX_E2E_LONG_STREAM_INTERVAL_MS ?? 5_000), gatewayFirstByteTimeoutMs: undefined };
const STEPS = Math.round(STREAM.durationMs / STREAM.intervalMs);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    env: STREAM.gatewayFirstByteTimeoutMs ? { [GATEWAY_ENV.upstreamTimeoutMs]: String(STREAM.gatewayFirstByteTimeoutMs) } : {},
  });
});

afterAll(async () => {
  await stack?.close();
});

it(
  `streams ${STEPS} progress events ${STREAM.intervalMs} ms apart (${STREAM.durationMs / 1000} s) whole and in order, each as it happens`,
  async () => {
    const flow = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: "stream@example.com" });
    const client = new Client({ name: "long-stream-e2e", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(stack.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${flow.tokens.access_token}` } } }),
    );
    const finishedCalls = () => stack.auditLines.filter((line) => line.includes('"tool":"trigger-long-running-operation"')).length;

    const received: (number | string)[] = [];
    let callStillOpenAtFirstEvent: boolean | undefined;
    const result = await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: STREAM.durationMs / 1000, steps: STEPS } },
      undefined,
      {
        // The gateway writes a call's audit line when its response ends: none yet means the
        // first event crossed Worker and gateway while the response was still streaming.
        onprogress: (progress) => {
          callStillOpenAtFirstEvent ??= finishedCalls() === 0;
          received.push(progress.progress);
        },
        timeout: STREAM.durationMs + 60_000,
      },
    );
    received.push((result.content as { text?: string }[])[0]?.text ?? "");

    expect(received).toEqual([...oneTo(STEPS), `Long running operation completed. Duration: ${STREAM.durationMs / 1000} seconds, Steps: ${STEPS}.`]);
    expect(callStillOpenAtFirstEvent).toBe(true);
    expect(finishedCalls()).toBe(1);
    await client.close();
  },
  STREAM.durationMs + 90_000,
);
