/**
 * The tool policy in front of server-everything over Streamable HTTP (SSE answers): every
 * scenario of helpers/policy-scenarios.ts, all real processes; and a list answer replayed on a
 * resumed stream (server-everything keeps events for resumption) is filtered too.
 */
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway } from "./helpers/gateway";
import { openRawSession, policyDir } from "./helpers/policy";
import { SCENARIO_POLICY, policyScenarios } from "./helpers/policy-scenarios";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";
import { openRawStream } from "./helpers/sse-stream";

let upstream: RunningServer;
beforeAll(async () => {
  upstream = await startEverythingHttp();
});
afterAll(async () => {
  await upstream?.close();
});

describe("tool policy, Streamable HTTP upstream", () => {
  policyScenarios(() => ({ [GATEWAY_ENV.upstreamUrl]: upstream.url }));
});

describe("a resumed stream (Last-Event-ID)", () => {
  it("replays a list answer filtered, as it was first sent", async () => {
    const policy = await policyDir(SCENARIO_POLICY);
    const gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.policy]: policy.path });
    try {
      // Protocol 2025-11-25: the server opens each stream with a priming event whose id resumes it.
      const partner = await openRawSession(gateway, "partner@example.com", "2025-11-25");
      const { response, messages } = await partner.post({ jsonrpc: "2.0", id: 9, method: "tools/list", params: {} });
      const priming = /^id: (\S+)/m.exec(response.text)?.[1];
      expect(priming).toBeDefined();
      expect((messages.find((m) => m.id === 9)?.result?.tools as { name: string }[]).map((t) => t.name).sort()).toEqual([
        "echo",
        "get-structured-content",
      ]);

      const replay = await openRawStream({
        port: gateway.port,
        method: "GET",
        headers: { ...partner.headers, accept: "text/event-stream", [MCP_HEADERS.lastEventId]: priming as string },
      });
      const text = await replay.waitFor((t) => t.includes('"id":9'));
      replay.close();
      const data = text.split("\n").find((line) => line.startsWith("data: {") && line.includes('"id":9')) as string;
      const replayed = JSON.parse(data.slice(6)) as { result: { tools: { name: string }[] } };
      expect(replayed.result.tools.map((t) => t.name).sort()).toEqual(["echo", "get-structured-content"]);
    } finally {
      await gateway.close();
      await policy.remove();
    }
  });
});
