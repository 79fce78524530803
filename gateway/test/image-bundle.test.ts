/**
 * What the container image runs, run here without Docker: the gateway bundled by image/bundle.ts
 * into one file in a folder with no node_modules, started with node and the environment compose
 * gives it, relaying to server-everything as `mcp-server-everything stdio` found on PATH.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GATEWAY_ENV, MCPBOX_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleGateway } from "../image/bundle";
import { SERVICE_TOKEN } from "./helpers/gateway";
import { connectClient } from "./helpers/mcp-client";
import { echoText } from "./helpers/scenarios";

const BIN = fileURLToPath(new URL("../../node_modules/.bin", import.meta.url));
let dir: string;
let child: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-image-"));
  const file = path.join(dir, "gateway.mjs");
  await bundleGateway(file);
  const proc = spawn(process.execPath, [file], {
    cwd: dir,
    env: {
      PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
      [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
      [GATEWAY_ENV.host]: "127.0.0.1",
      [GATEWAY_ENV.port]: "0",
      [GATEWAY_ENV.upstreamCommand]: "mcp-server-everything stdio",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child = proc;
  url = await new Promise<string>((resolve, reject) => {
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /ready on (http:\/\/\S+) /.exec(stderr);
      if (match) resolve(match[1] as string);
    });
    proc.once("exit", (code) => reject(new Error(`the bundled gateway exited (${code}): ${stderr}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe("the gateway as the image runs it", () => {
  it("answers /health and relays MCP to server-everything over stdio", async () => {
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    const { client } = await connectClient(url, {
      [MCPBOX_HEADERS.serviceToken]: SERVICE_TOKEN,
      [MCPBOX_HEADERS.userEmail]: "alice@example.com",
    });
    expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
    expect(await echoText(client, "from the image")).toBe("Echo: from the image");
    await client.close();
  });

  it("still refuses a request without the service token", async () => {
    const response = await fetch(`${url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{}",
    });
    expect(response.status).toBe(403);
  });
});
