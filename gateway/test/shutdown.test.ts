/**
 * Graceful shutdown: close() stops accepting at once, lets in-flight requests finish, cuts them
 * after GATEWAY_DRAIN_MS, and kills stdio children. Also the real entry point: `main.ts` on
 * SIGTERM, and its refusal to start with a broken configuration.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { GATEWAY_ENV } from "@mcpbox/shared";
import { afterEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { killMains, runMain } from "./helpers/main-process";
import { connectClient } from "./helpers/mcp-client";
import { childPids, processExists } from "@mcpbox/dev/test-kit/node";
import { everythingEntry } from "../src/upstream/default-command";
import { everythingStdioCommand } from "./helpers/processes";
import { rawRequest } from "./helpers/raw-http";
import { jsonResultHandler, startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

let upstream: RecordingUpstream | undefined;
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await upstream?.close();
  gateway = undefined;
  upstream = undefined;
});

/** An upstream that holds every POST until `release()`; `arrived` resolves when one is held. */
async function holdingUpstream() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const recording = await startRecordingUpstream((_req, res) => {
    arrive();
    void released.then(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"finished"}]}}');
    });
  });
  return { recording, release, arrived };
}

describe("graceful shutdown", () => {
  it("stops accepting, lets the in-flight request finish, then resolves", async () => {
    const held = await holdingUpstream();
    upstream = held.recording;
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url });
    const port = gateway.port;
    const inFlight = rawRequest({
      port,
      method: "POST",
      headers: { ...gateway.headers("gina@example.com"), ...MCP_POST_HEADERS },
      body: toolCallBody("slow", {}),
    });
    await held.arrived;

    const closed = gateway.close();
    await expect(rawRequest({ port, path: "/health" })).rejects.toMatchObject({ code: "ECONNREFUSED" });
    held.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.text).toContain("finished");
    await closed;
  });

  it("cuts a request that outlives GATEWAY_DRAIN_MS", async () => {
    const held = await holdingUpstream();
    upstream = held.recording;
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.drainMs]: "100" });
    const inFlight = rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers("gina@example.com"), ...MCP_POST_HEADERS },
      body: toolCallBody("slow", {}),
    });
    await held.arrived;
    const cut = expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/);
    await gateway.close();
    await cut;
    held.release();
  });

  it("ends open GET streams at once instead of waiting out the drain time for them", async () => {
    upstream = await startRecordingUpstream((req, res, body) => {
      if (req.method === "POST") return jsonResultHandler(req, res, body);
      res.writeHead(200, { "content-type": "text/event-stream" });
      // Never ends: a server-to-client stream lives as long as the client keeps it.
      res.write(": open\n\n");
    });
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.drainMs]: "600000" });
    const opened = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers("gina@example.com"), ...MCP_POST_HEADERS },
      body: initializeBody(),
    });
    const stream = rawRequest({
      port: gateway.port,
      method: "GET",
      headers: {
        ...gateway.headers("gina@example.com"),
        accept: "text/event-stream",
        "mcp-session-id": opened.headers["mcp-session-id"] as string,
      },
    });
    await expect.poll(() => upstream?.requests.length).toBe(2);
    const ended = expect(stream).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    await gateway.close();
    await ended;
  });

  it("kills the children of stdio sessions", async () => {
    gateway = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand() });
    const { client } = await connectClient(gateway.url, gateway.headers("gina@example.com"));
    const pids = childPids(process.pid, everythingEntry());
    expect(pids.length).toBeGreaterThan(0);
    await gateway.close();
    for (const pid of pids) expect(processExists(pid)).toBe(false);
    await client.close();
  });
});

// A failed test must not leave a gateway (and its children) running.
afterEach(killMains);

describe("main.ts", () => {
  it("drains and exits 0 on SIGTERM, killing the stdio children", async () => {
    const main = runMain({
      [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
      [GATEWAY_ENV.port]: "0",
      [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand(),
    });
    const url = await main.ready;
    expect(main.stderr()).toContain(`ready on ${url} (serving /mcp and /health; upstream: stdio command`);
    const { client } = await connectClient(url, { "X-MCPbox-Service-Token": SERVICE_TOKEN, "X-MCPbox-User-Email": "gina@example.com" });
    const [pid] = childPids(main.child.pid as number, everythingEntry());
    expect(pid).toBeDefined();
    main.child.kill("SIGTERM");
    expect(await main.exited).toBe(0);
    expect(processExists(pid as number)).toBe(false);
    expect(main.stderr()).toContain("SIGTERM: draining in-flight requests");
    await client.close();
  });

  it("refuses to start without a service token, saying so, with exit status 1", async () => {
    const main = runMain({ [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:1/mcp" });
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toContain("MCPBOX_SERVICE_TOKEN is not set: the gateway never runs without a service token");
    expect(main.stderr()).not.toContain("ready on");
  });
});

describe("npm run gateway (run-bundled.mjs: the entry point bundled as the image bundles it, under plain node)", () => {
  it("serves, drains and exits 0 on SIGTERM like the TypeScript entry, from a bundle without renaming wrappers", async () => {
    const main = runMain(
      {
        [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
        [GATEWAY_ENV.port]: "0",
        [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand(),
      },
      { bundled: true },
    );
    const url = await main.ready;
    const { client } = await connectClient(url, { "X-MCPbox-Service-Token": SERVICE_TOKEN, "X-MCPbox-User-Email": "gina@example.com" });
    const echoed = await client.callTool({ name: "echo", arguments: { message: "bundled" } });
    expect(JSON.stringify(echoed.content)).toContain("bundled");
    // What ran is the bundle, built without keepNames (tsx's per-closure renaming costs CPU per call).
    const bundle = await readFile(fileURLToPath(new URL("../node_modules/.cache/mcpbox-run/main.mjs", import.meta.url)), "utf8");
    expect(bundle).toContain("function createNodeHandler(");
    expect(bundle).not.toContain("__name(");
    // The runner is plain node (no TypeScript loader) and stopped esbuild's service once it built.
    expect(main.child.spawnargs.slice(1, 2)).toEqual([fileURLToPath(new URL("../src/run-bundled.mjs", import.meta.url))]);
    expect(childPids(main.pid, "esbuild")).toEqual([]);
    main.child.kill("SIGTERM");
    expect(await main.exited).toBe(0);
    expect(main.stderr()).toContain("stopped");
    await client.close();
  });

  it("stops on a configuration mistake with the same message and exit status 1", async () => {
    const main = runMain({ [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:1/mcp" }, { bundled: true });
    expect(await main.exited).toBe(1);
    expect(main.stderr()).toContain("MCPBOX_SERVICE_TOKEN is not set: the gateway never runs without a service token");
  });
});
