/**
 * The MCP SDK client → gateway → server-everything over Streamable HTTP, all real: the handshake,
 * tools, progress notifications over SSE, resources, and session termination.
 */
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, MCP_POST_HEADERS, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { connectClient } from "./helpers/mcp-client";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { echoText, progressEvents, readTextResource } from "./helpers/scenarios";

let upstream: RunningServer;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startEverythingHttp();
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

describe("gateway in front of a Streamable HTTP server", () => {
  it("initializes, lists the tools and calls echo", async () => {
    const { client } = await connectClient(gateway.url, gateway.headers("alice@example.com"));
    expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "trigger-long-running-operation"]));
    expect(await echoText(client, "hello through the tunnel")).toBe("Echo: hello through the tunnel");
    await client.close();
  });

  it("streams progress notifications in order, before the result", async () => {
    const { client } = await connectClient(gateway.url, gateway.headers("alice@example.com"));
    expect(await progressEvents(client, 5)).toEqual([1, 2, 3, 4, 5, expect.stringContaining("Long running operation completed")]);
    await client.close();
  });

  it("reads a resource", async () => {
    const { client } = await connectClient(gateway.url, gateway.headers("alice@example.com"));
    expect(await readTextResource(client, 7)).toMatch(/^Resource 7: This is a plaintext resource/);
    await client.close();
  });

  it("terminates the session with DELETE, after which the gateway no longer knows it either", async () => {
    const { client, transport } = await connectClient(gateway.url, gateway.headers("alice@example.com"));
    const sessionId = transport.sessionId as string;
    expect(sessionId).toMatch(/[0-9a-f-]{36}/);
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    const after = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers("alice@example.com"), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: sessionId },
      body: toolCallBody("echo", { message: "still there?" }),
    });
    expect(after.status).toBe(404);
    expect(errorMessage(after)).toBe("Session not found: it was closed, timed out, or belongs to someone else; start a new session");
    await client.close();
  });
});
