/**
 * MCP Inspector's CLI mode (`npx @modelcontextprotocol/inspector --cli`) against the whole path:
 * with a bearer token obtained through the real flow (given in a session config file, so the token
 * is never on a command line), and signing in by itself — it opens the authorization URL (the test
 * drives it in headless Chromium) and receives the code on its loopback callback — then reusing
 * the token it stored, as a CI job would.
 */
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuthorizationCodeFlow } from "../src/test-kit";
import { launchChromium, signInAtDevIdp } from "../src/test-kit/node/chromium";
import { freePort } from "../src/test-kit/node";
import { startFakeBrowser, type FakeBrowser } from "./helpers/fake-browser";
import { inspectorHome, runInspectorCli, type CliRun, type InspectorHome } from "./helpers/inspector";
import { startTestStack, type TestStack } from "./helpers/stack";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

/** The CLI's `--format json` answer: `{"result": …}` on success. */
function resultOf(run: CliRun): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`mcp-inspector --cli exited with ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  const parsed: unknown = JSON.parse(run.stdout);
  expect(parsed).toMatchObject({ result: expect.any(Object) });
  return (parsed as { result: Record<string, unknown> }).result;
}

function toolNames(result: Record<string, unknown>): string[] {
  expect(result.tools).toEqual(expect.any(Array));
  return (result.tools as { name?: unknown }[]).map((tool) => String(tool.name));
}

describe("with a bearer token from the real sign-in", () => {
  let home: InspectorHome;
  let configPath: string;

  beforeAll(async () => {
    home = await inspectorHome("memory");
    const { tokens } = await runAuthorizationCodeFlow(stack.network(), { mcpUrl: stack.urls.mcp, email: "inspector-cli@example.com" });
    // The Inspector's session config format (`--config`): one server with its request headers.
    configPath = path.join(home.dir, "mcpbox.json");
    const server = { type: "streamable-http", url: stack.urls.mcp, headers: { Authorization: `Bearer ${tokens.access_token}` } };
    await writeFile(configPath, JSON.stringify({ mcpServers: { mcpbox: server } }), { mode: 0o600 });
    await chmod(configPath, 0o600);
  });

  afterAll(async () => {
    await home?.close();
  });

  it("lists the tools and calls echo", async () => {
    const session = ["--config", configPath, "--server", "mcpbox", "--format", "json"];
    const [listed, called] = await Promise.all([
      runInspectorCli([...session, "--method", "tools/list"], home.env),
      runInspectorCli([...session, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=from the Inspector CLI"], home.env),
    ]);
    expect(toolNames(resultOf(listed))).toContain("echo");
    expect(resultOf(called).content).toEqual([{ type: "text", text: "Echo: from the Inspector CLI" }]);
    expect(stack.auditLines.some((line) => line.includes('"email":"inspector-cli@example.com"') && line.includes('"tool":"echo"'))).toBe(true);
  }, 90_000);

  it("without a token is told to sign in (auth_required), and gets no tools", async () => {
    const run = await runInspectorCli([stack.urls.mcp, "--transport", "http", "--method", "tools/list", "--format", "json", "--stored-auth-only"], home.env);
    expect(run.code).toBe(3);
    expect(run.stdout).not.toContain('"tools"');
    expect(run.stdout + run.stderr).toContain("auth_required");
  }, 60_000);
});

describe("signing in by itself (its own OAuth client, loopback callback)", () => {
  let home: InspectorHome;
  let chromium: Browser;
  let fakeBrowser: FakeBrowser;
  let callbackUrl: string;

  beforeAll(async () => {
    let callbackPort: number;
    [home, chromium, fakeBrowser, callbackPort] = await Promise.all([inspectorHome("file"), launchChromium(), startFakeBrowser(), freePort()]);
    callbackUrl = `http://127.0.0.1:${callbackPort}/oauth/callback`;
  });

  afterAll(async () => {
    await Promise.all([chromium?.close(), fakeBrowser?.close(), home?.close()]);
  });

  it("registers, opens the browser for consent and sign-in, receives the code, and lists the tools", async () => {
    // MCP_AUTO_OPEN_ENABLED: open "the browser" although the test runs without a terminal.
    const env = { ...home.env, ...fakeBrowser.env, MCP_AUTO_OPEN_ENABLED: "true" };
    const running = runInspectorCli([stack.urls.mcp, "--transport", "http", "--method", "tools/list", "--format", "json", "--callback-url", callbackUrl], env);

    const authorizationUrl = await fakeBrowser.next();
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${stack.urls.worker}/authorize`);
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(callbackUrl);
    const page = await chromium.newPage();
    await page.goto(authorizationUrl.href);
    await Promise.all([page.waitForURL((url) => url.origin === stack.idp.current?.origin), page.click('button[value="approve"]')]);
    await signInAtDevIdp(page, "inspector-login@example.com");
    await page.waitForURL(`${callbackUrl}**`);
    await page.close();

    expect(toolNames(resultOf(await running))).toContain("echo");
  }, 90_000);

  it("a later run uses the token it stored, without a browser (--stored-auth-only)", async () => {
    const opened = fakeBrowser.opened.length;
    const run = await runInspectorCli(
      [stack.urls.mcp, "--transport", "http", "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=stored token", "--format", "json", "--stored-auth-only"],
      { ...home.env, ...fakeBrowser.env },
    );
    expect(resultOf(run).content).toEqual([{ type: "text", text: "Echo: stored token" }]);
    expect(fakeBrowser.opened.length).toBe(opened);
    expect(stack.auditLines.some((line) => line.includes('"email":"inspector-login@example.com"') && line.includes('"tool":"echo"'))).toBe(true);
  }, 60_000);
});
