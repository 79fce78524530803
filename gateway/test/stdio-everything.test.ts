/**
 * The MCP SDK client → gateway → server-everything as a stdio command, one child process per
 * session: the same round trips as over HTTP, plus what only a stdio relay has to get right
 * (a child per session, the child gone after DELETE, a clean environment for the child).
 */
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { connectClient } from "./helpers/mcp-client";
import { childPids, processExists } from "@mcpbox/dev/test-kit/node";
import { everythingEntry } from "../src/upstream/default-command";
import { everythingStdioCommand } from "./helpers/processes";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { echoText, progressEvents, readTextResource } from "./helpers/scenarios";

let gateway: TestGateway;
const EMAIL = "bob@example.com";
const everythingChildren = () => new Set(childPids(process.pid, everythingEntry()));
const previousToken = process.env[GATEWAY_ENV.serviceToken];

beforeAll(async () => {
  // Were the token in the gateway's environment, it must still not reach the child's.
  process.env[GATEWAY_ENV.serviceToken] = SERVICE_TOKEN;
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand() });
});
afterAll(async () => {
  await gateway?.close();
  if (previousToken === undefined) delete process.env[GATEWAY_ENV.serviceToken];
  else process.env[GATEWAY_ENV.serviceToken] = previousToken;
});

describe("gateway in front of a stdio server", () => {
  it("serves a session from its own child process, then kills that child on DELETE", async () => {
    const before = everythingChildren();
    const { client, transport } = await connectClient(gateway.url, gateway.headers(EMAIL));
    const spawned = [...everythingChildren()].filter((pid) => !before.has(pid));
    expect(spawned).toHaveLength(1);
    const pid = spawned[0] as number;

    expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("echo");
    expect(await echoText(client, "over stdio")).toBe("Echo: over stdio");
    expect(await progressEvents(client, 4)).toEqual([1, 2, 3, 4, expect.stringContaining("Long running operation completed")]);
    expect(await readTextResource(client, 3)).toMatch(/^Resource 3: This is a plaintext resource/);

    const sessionId = transport.sessionId as string;
    await transport.terminateSession();
    expect(processExists(pid)).toBe(false);
    const after = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: sessionId },
      body: toolCallBody("echo", { message: "anyone?" }),
    });
    expect(after.status).toBe(404);
    expect(errorMessage(after)).toMatch(/^Session not found/);
    await client.close();
  });

  it("gives each session its own child", async () => {
    const before = everythingChildren();
    const a = await connectClient(gateway.url, gateway.headers(EMAIL));
    const b = await connectClient(gateway.url, gateway.headers(EMAIL));
    expect([...everythingChildren()].filter((pid) => !before.has(pid))).toHaveLength(2);
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    expect(await echoText(a.client, "a")).toBe("Echo: a");
    expect(await echoText(b.client, "b")).toBe("Echo: b");
    await a.transport.terminateSession();
    await b.transport.terminateSession();
    expect([...everythingChildren()].filter((pid) => !before.has(pid))).toHaveLength(0);
  });

  it("keeps a session to the user who opened it: another user's request finds no session", async () => {
    const { client, transport } = await connectClient(gateway.url, gateway.headers(EMAIL));
    const stolen = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers("mallory@example.com"), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: transport.sessionId as string },
      body: toolCallBody("echo", { message: "mine now" }),
    });
    expect(stolen.status).toBe(404);
    expect(errorMessage(stolen)).toMatch(/^Session not found/);
    expect(await echoText(client, "still mine")).toBe("Echo: still mine");
    await transport.terminateSession();
  });

  it("starts the child without the gateway's secrets in its environment", async () => {
    const { client, transport } = await connectClient(gateway.url, gateway.headers(EMAIL));
    const result = await client.callTool({ name: "get-env", arguments: {} });
    const text = (result.content as { text: string }[])[0]?.text ?? "";
    expect(text).toContain("PATH");
    expect(text).not.toContain(SERVICE_TOKEN);
    expect(text).not.toContain(GATEWAY_ENV.serviceToken);
    await transport.terminateSession();
  });

  it("serves a sessionless POST (no Mcp-Session-Id, no initialize) with a one-shot child", async () => {
    const before = everythingChildren();
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS, [MCP_HEADERS.protocolVersion]: "2026-07-28" },
      body: toolCallBody("echo", { message: "no session" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers[MCP_HEADERS.sessionId.toLowerCase()]).toBeUndefined();
    expect(response.text).toContain('"text":"Echo: no session"');
    // The one-shot child is ended once its answer is out.
    await expect.poll(() => [...everythingChildren()].filter((pid) => !before.has(pid))).toHaveLength(0);
  });

  it("answers GET without a session id with 400", async () => {
    const response = await rawRequest({ port: gateway.port, method: "GET", headers: { ...gateway.headers(EMAIL), accept: "text/event-stream" } });
    expect(response.status).toBe(400);
    expect(errorMessage(response)).toBe(`Bad request: GET needs an ${MCP_HEADERS.sessionId} header`);
  });
});
