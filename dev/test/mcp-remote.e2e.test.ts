/**
 * A third-party MCP client through the whole path: `mcp-remote` (npm), the stdio bridge many
 * desktop MCP apps use. The test speaks MCP to its stdio side with the SDK's stdio client; when
 * mcp-remote opens "the browser" (BROWSER points at a stand-in), headless Chromium takes that URL
 * through consent and the development IdP back to mcp-remote's loopback callback.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchChromium, signInAtDevIdp } from "../src/test-kit/node/chromium";
import { freePort, isRunning } from "../src/test-kit/node";
import { startFakeBrowser, type FakeBrowser } from "./helpers/fake-browser";
import { echoText } from "./helpers/mcp";
import { startTestStack, type TestStack } from "./helpers/stack";

const require = createRequire(import.meta.url);
const MCP_REMOTE = path.join(path.dirname(require.resolve("mcp-remote/package.json")), "dist", "proxy.js");

let stack: TestStack;
let chromium: Browser;
let fakeBrowser: FakeBrowser;
let configDir: string;
let callbackPort: number;

beforeAll(async () => {
  [stack, chromium, fakeBrowser, configDir, callbackPort] = await Promise.all([
    startTestStack(),
    launchChromium(),
    startFakeBrowser(),
    mkdtemp(path.join(os.tmpdir(), "mcpbox-mcp-remote-")),
    freePort(),
  ]);
});

afterAll(async () => {
  await Promise.all([chromium?.close(), fakeBrowser?.close(), stack?.close()]);
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

/** mcp-remote as an MCP app would start it, with its token store in a temporary folder. */
function mcpRemote(stderr: string[]): StdioClientTransport {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, stack.urls.mcp, String(callbackPort), "--allow-http", "--host", "127.0.0.1"],
    env: { PATH: process.env.PATH ?? "", HOME: configDir, MCP_REMOTE_CONFIG_DIR: configDir, ...fakeBrowser.env },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  return transport;
}

it("signs in through its browser step (driven in Chromium) and then lists tools and calls echo over stdio", async () => {
  const stderr: string[] = [];
  const transport = mcpRemote(stderr);
  const client = new Client({ name: "mcp-remote-e2e", version: "1.0.0" });
  const connected = client.connect(transport);

  const authorizationUrl = await fakeBrowser.next();
  expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${stack.urls.worker}/authorize`);
  expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(`http://127.0.0.1:${callbackPort}/oauth/callback`);
  const page = await chromium.newPage();
  await page.goto(authorizationUrl.href);
  await Promise.all([page.waitForURL((url) => url.origin === stack.idp.current?.origin), page.click('button[value="approve"]')]);
  await signInAtDevIdp(page, "remote@example.com");
  await page.waitForURL(`http://127.0.0.1:${callbackPort}/**`);
  await page.close();

  await connected.catch((error: unknown) => {
    throw new Error(`mcp-remote did not connect: ${String(error)}\nits stderr:\n${stderr.join("")}`);
  });
  expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain("echo");
  expect(await echoText(client, "via mcp-remote")).toBe("Echo: via mcp-remote");
  expect(stack.auditLines.some((line) => line.includes('"email":"remote@example.com"') && line.includes('"tool":"echo"'))).toBe(true);

  const pid = transport.pid;
  await client.close();
  expect(pid !== null && isRunning(pid)).toBe(false);
  // Its token store holds what it needs to reconnect (files only; their contents stay private).
  expect((await readdir(configDir, { recursive: true })).some((name) => name.endsWith("_tokens.json"))).toBe(true);
}, 90_000);

it("reconnects with the tokens it stored, without opening a browser", async () => {
  const opened = fakeBrowser.opened.length;
  const stderr: string[] = [];
  const client = new Client({ name: "mcp-remote-e2e", version: "1.0.0" });
  await client.connect(mcpRemote(stderr)).catch((error: unknown) => {
    throw new Error(`mcp-remote did not reconnect: ${String(error)}\nits stderr:\n${stderr.join("")}`);
  });
  expect(await echoText(client, "again")).toBe("Echo: again");
  expect(fakeBrowser.opened.length).toBe(opened);
  await client.close();
}, 60_000);
