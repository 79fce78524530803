/**
 * Ctrl-C in a terminal signals the whole foreground process group. The stdio children lead groups
 * of their own, so only the gateway hears it: a running tool call still finishes during the drain,
 * and the gateway's shutdown ends the children. When the gateway exits without that shutdown (a
 * second Ctrl-C) or is killed outright, its children still end.
 */
import { GATEWAY_ENV, MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import { afterEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, toolCallBody } from "./helpers/gateway";
import { killMains, runMain } from "./helpers/main-process";
import type { MainProcess } from "./helpers/main-process";
import { connectClient } from "./helpers/mcp-client";
import { childPids, isRunning, processGroupOf } from "@mcpbox/dev/test-kit/node";
import { everythingEntry } from "../src/upstream/default-command";
import { everythingStdioCommand, helperStdioCommand } from "./helpers/processes";
import { rawRequest } from "./helpers/raw-http";

const headers = { [MCPBOX_HEADERS.serviceToken]: SERVICE_TOKEN, [MCPBOX_HEADERS.userEmail]: "cas@example.com" };
const leftovers: number[] = [];
afterEach(() => {
  killMains();
  // A child that outlived a failed test is killed here, by its own pid.
  for (const pid of leftovers.splice(0)) if (isRunning(pid)) process.kill(pid, "SIGKILL");
});

/** main.ts leading its own process group, like a foreground job started from a shell. */
function foregroundGateway(command: string): MainProcess {
  return runMain(
    { [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN, [GATEWAY_ENV.port]: "0", [GATEWAY_ENV.upstreamCommand]: command },
    { inOwnGroup: true },
  );
}

/** Ctrl-C: SIGINT to every process of the foreground group. */
const ctrlC = (main: MainProcess) => process.kill(-main.pid, "SIGINT");

describe("Ctrl-C in the gateway's terminal", () => {
  it("reaches the gateway only: the running tool call finishes, then the gateway ends the child", async () => {
    const main = foregroundGateway(everythingStdioCommand());
    const { client } = await connectClient(await main.ready, headers);
    const [pid] = childPids(main.pid, everythingEntry());
    leftovers.push(pid as number);
    expect(processGroupOf(pid as number)).toBe(pid);
    expect(processGroupOf(main.pid)).toBe(main.pid);

    let interrupted = false;
    const result = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } }, undefined, {
      // Ctrl-C while the tool is half way.
      onprogress: () => {
        if (!interrupted) ctrlC(main);
        interrupted = true;
      },
    });
    expect(interrupted).toBe(true);
    expect(result.content).toEqual([{ type: "text", text: "Long running operation completed. Duration: 1 seconds, Steps: 4." }]);
    expect(await main.exited).toBe(0);
    expect(isRunning(pid as number)).toBe(false);
    expect(main.stderr()).toContain("SIGINT: draining in-flight requests");
    expect(main.stderr()).not.toContain("exited unexpectedly");
    await client.close();
  });

  it("a second Ctrl-C exits at once, and the exit still kills a child that ignores its closed stdin", async () => {
    const main = foregroundGateway(helperStdioCommand("stubborn-server.ts"));
    const gatewayUrl = await main.ready;
    const { client, transport } = await connectClient(gatewayUrl, headers);
    const [pid] = childPids(main.pid, "stubborn-server.ts");
    leftovers.push(pid as number);
    const { sessionId, protocolVersion } = transport;
    if (!sessionId || !protocolVersion) throw new Error("the client has no session after initialize");
    // The call that never gets an answer goes out on the client's session as plain HTTP, so what
    // the exit does to it shows on the connection itself. Through the SDK client it would depend
    // on timing: the gateway sends an SSE reply's headers alone when no event follows within
    // 20 ms, and a busy machine takes longer than that to deliver the second Ctrl-C. A stream cut
    // after its headers only reaches the SDK's onerror, and the call then waits out its own 60 s
    // request timeout (modelcontextprotocol/typescript-sdk#2739); cut before them, it fails at once.
    const hanging = rawRequest({
      port: Number(new URL(gatewayUrl).port),
      method: "POST",
      headers: {
        ...headers,
        ...MCP_POST_HEADERS,
        [MCP_HEADERS.sessionId]: sessionId,
        [MCP_HEADERS.protocolVersion]: protocolVersion,
      },
      body: toolCallBody("hang", {}),
    });
    // Cut, not answered: reset before the headers ("socket hang up") or inside the body ("aborted").
    const cut = expect(hanging).rejects.toMatchObject({ code: "ECONNRESET" });
    await main.waitForStderr("hang started");
    ctrlC(main);
    await main.waitForStderr("SIGINT: draining in-flight requests");
    expect(isRunning(pid as number)).toBe(true);
    ctrlC(main);
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toContain("SIGINT again: exiting without waiting");
    await expect.poll(() => isRunning(pid as number)).toBe(false);
    await cut;
    await client.close();
  });
});

describe("the gateway killed outright (SIGKILL)", () => {
  it("leaves no child behind: the children's stdin closes and MCP servers exit on that", async () => {
    const main = foregroundGateway(everythingStdioCommand());
    const { client } = await connectClient(await main.ready, headers);
    const [pid] = childPids(main.pid, everythingEntry());
    leftovers.push(pid as number);
    main.child.kill("SIGKILL");
    await main.exited;
    await expect.poll(() => isRunning(pid as number)).toBe(false);
    await client.close().catch(() => undefined);
  });
});
