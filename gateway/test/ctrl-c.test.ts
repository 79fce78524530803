/**
 * Ctrl-C in a terminal signals the whole foreground process group. The stdio children lead groups
 * of their own, so only the gateway hears it: a running tool call still finishes during the drain,
 * and the gateway's shutdown ends the children. When the gateway exits without that shutdown (a
 * second Ctrl-C) or is killed outright, its children still end.
 */
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { afterEach, describe, expect, it } from "vitest";
import { SERVICE_TOKEN } from "./helpers/gateway";
import { killMains, runMain } from "./helpers/main-process";
import type { MainProcess } from "./helpers/main-process";
import { connectClient } from "./helpers/mcp-client";
import { childPids, isRunning, processGroupOf } from "@mcpbox/dev/test-kit/node";
import { everythingEntry } from "../src/upstream/default-command";
import { everythingStdioCommand, helperStdioCommand } from "./helpers/processes";

const headers = { [MCPBOX_HEADERS.serviceToken]: SERVICE_TOKEN, [MCPBOX_HEADERS.userEmail]: "cas@example.com" };
const leftovers: number[] = [];
afterEach(() => {
  killMains();
  // A child that outlived a failed test is killed here, by its own pid.
  for (const pid of leftovers.splice(0)) if (isRunning(pid)) process.kill(pid, "SIGKILL");
});

/** main.ts leading its own process group, like a foreground job started from a shell. */
function foregroundGateway(command: string): MainProcess {
  return runMain({ [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN, [GATEWAY_ENV.port]: "0", [GATEWAY_ENV.upstreamCommand]: command }, { inOwnGroup: true });
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
    const { client } = await connectClient(await main.ready, headers);
    const [pid] = childPids(main.pid, "stubborn-server.ts");
    leftovers.push(pid as number);
    const hanging = client.callTool({ name: "hang", arguments: {} }).catch(() => "cut");
    await main.waitForStderr("hang started");
    ctrlC(main);
    await main.waitForStderr("SIGINT: draining in-flight requests");
    expect(isRunning(pid as number)).toBe(true);
    ctrlC(main);
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toContain("SIGINT again: exiting without waiting");
    await expect.poll(() => isRunning(pid as number)).toBe(false);
    expect(await hanging).toBe("cut");
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
