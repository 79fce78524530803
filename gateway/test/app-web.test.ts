/**
 * The app without Node bindings (web Request in, web Response out), the path other runtimes and
 * embedders take: the same checks, the body limit on a web stream, the reply as a web Response.
 */
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { loadConfig, silentLogger } from "../src/index";
import { createUpstream } from "../src/server";
import type { Upstream } from "../src/upstream/types";
import { MCP_POST_HEADERS, SERVICE_TOKEN, toolCallBody } from "./helpers/gateway";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

let recording: RecordingUpstream;
let upstream: Upstream;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  recording = await startRecordingUpstream();
  const config = loadConfig({
    [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
    [GATEWAY_ENV.upstreamUrl]: recording.url,
    [GATEWAY_ENV.maxBodyBytes]: "200",
  });
  upstream = await createUpstream(config, silentLogger);
  app = createApp({ config, upstream, log: silentLogger });
});
afterAll(async () => {
  await upstream?.close();
  await recording?.close();
});

const headers = {
  host: "localhost:8002",
  [MCPBOX_HEADERS.serviceToken]: SERVICE_TOKEN,
  [MCPBOX_HEADERS.userEmail]: "hal@example.com",
  ...MCP_POST_HEADERS,
};

describe("the app on web Request/Response", () => {
  it("relays a tools/call and returns the upstream's answer as a web Response", async () => {
    const response = await app.request("http://localhost:8002/mcp", {
      method: "POST",
      headers,
      body: toolCallBody("echo", { message: "web" }, 9),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jsonrpc: "2.0", id: 9, result: { ok: true } });
    // A session id on an answer outside a session is not passed on: the gateway would not honour it.
    expect(response.headers.get("mcp-session-id")).toBeNull();
  });

  it("counts a streamed body against the limit", async () => {
    const before = recording.requests.length;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(new TextEncoder().encode("x".repeat(100)));
        controller.close();
      },
    });
    const response = await app.request("http://localhost:8002/mcp", {
      method: "POST",
      headers,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("at most 200 bytes");
    expect(recording.requests.length).toBe(before);
  });

  it("still refuses paths outside the allowlist and missing tokens", async () => {
    expect((await app.request("http://localhost:8002/admin", { headers })).status).toBe(404);
    const noToken = await app.request("http://localhost:8002/mcp", {
      method: "POST",
      headers: { ...headers, [MCPBOX_HEADERS.serviceToken]: "" },
      body: "{}",
    });
    expect(noToken.status).toBe(403);
  });
});
