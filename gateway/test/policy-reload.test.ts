/**
 * Reloading the tool policy: an edited file takes effect for sessions already open (none is
 * dropped), a broken file keeps the last good policy and the log says where it is broken, SIGHUP
 * reloads the real process (and no longer ends it), and a broken file at start-up stops the
 * gateway with line-precise problems.
 */
import { GATEWAY_ENV, JSONRPC_ERROR, MCPBOX_HEADERS } from "@mcpbox/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SERVICE_TOKEN, startTestGateway } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { killMains, runMain } from "./helpers/main-process";
import { connectClient } from "./helpers/mcp-client";
import { policyDir } from "./helpers/policy";
import type { PolicyDir } from "./helpers/policy";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";
import { echoText } from "./helpers/scenarios";

const ECHO_ALLOWED = `rules:
  - name: guest-echo
    users: [guest@example.com]
    allow: { tools: [echo, get-sum] }
`;
const ECHO_DENIED = `rules:
  - name: guest-sum-only
    users: [guest@example.com]
    allow: { tools: [get-sum] }
`;
const BROKEN = `rules:
  - name: guest-everything
    users: [guest@example.com]
    allow: everything
`;

let upstream: RunningServer;
beforeAll(async () => {
  upstream = await startEverythingHttp();
});
afterAll(async () => {
  await upstream?.close();
});
afterEach(() => killMains());

/** Polls the log (the watcher reacts to the file system, whose timing is not ours). */
async function logged(gateway: TestGateway, text: string): Promise<string> {
  return vi.waitFor(
    () => {
      const line = gateway.logLines.find((l) => l.includes(text));
      if (!line) throw new Error(`not logged yet: ${text}`);
      return line;
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe("policy reload in a running gateway", () => {
  let policy: PolicyDir;
  let gateway: TestGateway;
  beforeAll(async () => {
    policy = await policyDir(ECHO_ALLOWED);
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.policy]: policy.path });
  });
  afterAll(async () => {
    await gateway?.close();
    await policy?.remove();
  });

  it("applies an edited file to an open session, keeps the last good policy when the file breaks, and reloads on request", async () => {
    const { client, transport } = await connectClient(gateway.url, gateway.headers("guest@example.com"));
    const sessionId = transport.sessionId;
    expect(await echoText(client, "before")).toBe("Echo: before");
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["echo", "get-sum"]);

    await policy.write(ECHO_DENIED);
    await logged(gateway, "policy reloaded from");
    const refused = await client.callTool({ name: "echo", arguments: { message: "after" } }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toContain(
      `MCP error ${JSONRPC_ERROR.forbidden}: Forbidden by the gateway's tool policy (rule "guest-sum-only")`,
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["get-sum"]);
    expect(transport.sessionId).toBe(sessionId);

    await policy.write(BROKEN);
    const why = await logged(gateway, "policy not reloaded");
    expect(why).toContain("the last good policy stays in force");
    expect(why).toContain(`${policy.path}:4:12: rules[0].allow: expected "all", "read-only" or a map with tools, prompts and/or resources`);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["get-sum"]);

    // What SIGHUP runs: the file is still broken, so nothing changes and the log says so again.
    const before = gateway.logLines.length;
    expect(gateway.reloadPolicy("SIGHUP")).toBe(false);
    expect(gateway.logLines.slice(before).join("\n")).toContain("policy not reloaded (SIGHUP)");

    await policy.write(ECHO_ALLOWED);
    await vi.waitFor(async () => expect(await echoText(client, "again")).toBe("Echo: again"), { timeout: 10_000, interval: 50 });
    expect(transport.sessionId).toBe(sessionId);
    await client.close();
  });
});

describe("the gateway process", () => {
  it("reloads on SIGHUP and keeps running; a broken file keeps the last good policy", async () => {
    const policy = await policyDir(ECHO_ALLOWED);
    try {
      const main = runMain({
        [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
        [GATEWAY_ENV.port]: "0",
        [GATEWAY_ENV.upstreamUrl]: upstream.url,
        [GATEWAY_ENV.policy]: policy.path,
      });
      const url = await main.ready;
      expect(main.stderr()).toContain(`tool policy: ${policy.path}`);
      await policy.write(BROKEN);
      main.child.kill("SIGHUP");
      await main.waitForStderr("policy not reloaded (SIGHUP)");
      const { client } = await connectClient(url, {
        [MCPBOX_HEADERS.serviceToken]: SERVICE_TOKEN,
        [MCPBOX_HEADERS.userEmail]: "guest@example.com",
      });
      expect(await echoText(client, "still here")).toBe("Echo: still here");
      await client.close();
      main.child.kill("SIGTERM");
      expect(await main.exited).toBe(0);
    } finally {
      await policy.remove();
    }
  });

  it("does not start with a broken policy, and says where it is broken", async () => {
    const policy = await policyDir(BROKEN);
    try {
      const main = runMain({
        [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
        [GATEWAY_ENV.port]: "0",
        [GATEWAY_ENV.upstreamUrl]: upstream.url,
        [GATEWAY_ENV.policy]: policy.path,
      });
      expect(await main.exited).toBe(1);
      expect(main.stderr()).toContain(
        `MCPBOX_POLICY cannot be used:\n  - ${policy.path}:4:12: rules[0].allow: expected "all", "read-only" or a map`,
      );
      expect(main.stderr()).not.toContain("ready on");
    } finally {
      await policy.remove();
    }
  });
});
