/**
 * The stdio relay's limits and failures: the session cap, the idle timeout, a child that crashes
 * mid-request, a command that cannot start. Each is something a user would otherwise see as a
 * hang or a leaked process.
 */
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import { afterEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { connectClient } from "./helpers/mcp-client";
import { processExists } from "@mcpbox/dev/test-kit/node";
import { everythingStdioCommand, helperStdioCommand } from "./helpers/processes";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import type { StdioUpstream } from "../src/index";

const EMAIL = "carol@example.com";
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const sessionsOf = (g: TestGateway) => (g.upstream as StdioUpstream).sessions();

describe("stdio relay limits", () => {
  it("refuses a session beyond GATEWAY_MAX_SESSIONS with 503 and says why", async () => {
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand(), [GATEWAY_ENV.maxSessions]: "1" });
    const first = await connectClient(gateway.url, gateway.headers(EMAIL));
    // Another user: the caller's own idle sessions could give way, someone else's never do.
    const refused = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers("dave@example.com"), ...MCP_POST_HEADERS },
      body: initializeBody(),
    });
    expect(refused.status).toBe(503);
    expect(errorMessage(refused)).toBe("Too many MCP sessions: this gateway runs at most 1 at once (GATEWAY_MAX_SESSIONS); close one and retry");
    expect(sessionsOf(gateway)).toHaveLength(1);
    await first.transport.terminateSession();
    // The freed slot is usable again.
    const second = await connectClient(gateway.url, gateway.headers("dave@example.com"));
    expect(second.transport.sessionId).toBeDefined();
    await second.transport.terminateSession();
  });

  it("closes an idle session and kills its child", async () => {
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand(), [GATEWAY_ENV.sessionIdleMs]: "300" });
    const { transport } = await connectClient(gateway.url, gateway.headers(EMAIL));
    const [session] = sessionsOf(gateway);
    const pid = session?.pid as number;
    expect(processExists(pid)).toBe(true);
    await expect.poll(() => processExists(pid), { timeout: 10_000 }).toBe(false);
    const after = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: transport.sessionId as string },
      body: toolCallBody("echo", { message: "late" }),
    });
    expect(after.status).toBe(404);
    expect(gateway.logLines.some((l) => l.startsWith("closing idle MCP session"))).toBe(true);
  });

  it("answers a request whose child crashed with a clear JSON-RPC error, then forgets the session", async () => {
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: helperStdioCommand("crashing-server.ts") });
    const { client, transport } = await connectClient(gateway.url, gateway.headers(EMAIL));
    const pid = sessionsOf(gateway)[0]?.pid as number;
    await expect(client.callTool({ name: "crash", arguments: {} })).rejects.toThrow(
      "The MCP server process for this session exited unexpectedly; start a new session",
    );
    expect(processExists(pid)).toBe(false);
    await expect.poll(() => sessionsOf(gateway as TestGateway)).toHaveLength(0);
    const after = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: transport.sessionId as string },
      body: toolCallBody("crash", {}),
    });
    expect(after.status).toBe(404);
  });

  it("answers 502 when the command cannot be started", async () => {
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: "/nonexistent/mcp-server --stdio" });
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS },
      body: initializeBody(),
    });
    expect(response.status).toBe(502);
    expect(errorMessage(response)).toBe("Upstream unavailable: the gateway could not start the MCP server (ENOENT)");
    expect(sessionsOf(gateway)).toHaveLength(0);
  });
});
