/**
 * `npm start` as a person runs it: a ready line per component, the MCP URL and how to connect
 * Inspector and mcp-remote, a working path behind that URL, secrets in a 0600 `.dev.vars`, and
 * SIGTERM stopping everything with no process left behind; a taken port is one clear line naming
 * the variable to change. Also: a restart keeps the OAuth grants (secrets and KV are reused).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { WORKER_VAR_NAMES } from "@mcpbox/shared";
import { postForm, runAuthorizationCodeFlow } from "../src/test-kit";
import { commandLineOf, descendants, freePort, isRunning, occupyPort } from "../src/test-kit/node";
import { DEV_STACK_ENV, loadStackConfig, StackError, startStack } from "../src/stack";
import { echoText } from "./helpers/mcp";
import { startTestStack } from "./helpers/stack";
import { runStart } from "./helpers/start-process";

const READY = "Press Ctrl-C to stop everything.";

describe("npm start", () => {
  it("prints a ready line per component and how to connect, serves the path, and stops cleanly on SIGTERM", async () => {
    const run = await runStart({ via: "npm" });
    try {
      const output = await run.waitFor(READY);
      expect(output).toMatch(/^\[idp\] +ready: development identity provider .*development only.* at http:\/\/127\.0\.0\.1:\d+\/cdn-cgi\/access\/sso\/oidc\/[0-9a-f]+$/m);
      expect(output).toMatch(/^\[gateway\] +ready: http:\/\/127\.0\.0\.1:\d+ .*upstream: @modelcontextprotocol\/server-everything over stdio/m);
      expect(output).toMatch(/^\[worker\] +ready: http:\/\/127\.0\.0\.1:\d+ .*MCPBOX_TUNNEL → gateway at 127\.0\.0\.1:\d+/m);
      const mcpUrl = /MCP server URL +(http:\/\/127\.0\.0\.1:\d+\/mcp)$/m.exec(output)?.[1];
      if (!mcpUrl) throw new Error(`no MCP server URL in:\n${output}`);
      expect(output).toContain(`npx @modelcontextprotocol/inspector --server-url ${mcpUrl} --transport http`);
      expect(output).toContain(`npx @modelcontextprotocol/inspector --cli ${mcpUrl} --method tools/list`);
      expect(output).toContain(`npx mcp-remote ${mcpUrl}`);
      expect(output).toMatch(/ready in \d+\.\d s/);

      const unauthenticated = await fetch(mcpUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get("WWW-Authenticate")).toContain("resource_metadata=");

      // A signed-in session starts a server-everything process behind the gateway.
      const origin = new URL(mcpUrl).origin;
      const flow = await runAuthorizationCodeFlow({ workerOrigin: origin, worker: (request) => fetch(request) }, { mcpUrl, email: "start@example.com" });
      const client = new Client({ name: "start-e2e", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${flow.tokens.access_token}` } } }));
      expect(await echoText(client, "npm start works")).toBe("Echo: npm start works");

      const devVars = path.join(run.stateRoot, ".dev.vars");
      expect((await stat(devVars)).mode & 0o777).toBe(0o600);
      const secrets = readFileSync(devVars, "utf8");
      expect(secrets).toMatch(/^MCPBOX_SERVICE_TOKEN=[0-9a-f]{64}$/m);
      // The generated secrets stay in the file: none of them reaches the terminal.
      for (const name of ["MCPBOX_SERVICE_TOKEN", "ACCESS_CLIENT_SECRET", "COOKIE_ENCRYPTION_KEY"]) {
        const value = new RegExp(`^${name}=(.+)$`, "m").exec(secrets)?.[1];
        expect(value).toBeTruthy();
        expect(run.output()).not.toContain(value);
      }

      const pid = run.child.pid as number;
      const before = descendants(pid);
      expect(before.some((p) => commandLineOf(p)?.includes("workerd"))).toBe(true);
      expect(before.some((p) => commandLineOf(p)?.includes("server-everything"))).toBe(true);

      process.kill(pid, "SIGTERM");
      await run.exited;
      expect(run.output()).toMatch(/^\[stack\] +stopped$/m);
      expect(before.filter(isRunning)).toEqual([]);
      await client.close().catch(() => undefined);
    } finally {
      await run.cleanup();
    }
  });

  it("exits 1 with one line naming the variable to change when a port is taken", async () => {
    const blocker = await occupyPort();
    const run = await runStart({ via: "node", env: { [DEV_STACK_ENV.workerPort]: String(blocker.port) } });
    try {
      const { code } = await run.exited;
      expect(code).toBe(1);
      expect(run.output().trim()).toBe(
        `[stack]   error: port ${blocker.port} on 127.0.0.1 (the Worker) is already in use. Stop what is using it, or choose another port: ${DEV_STACK_ENV.workerPort}=<port> npm start`,
      );
    } finally {
      await run.cleanup();
      await blocker.close();
    }
  });
});

describe("startStack with a taken port", () => {
  it.each([
    ["the Worker", DEV_STACK_ENV.workerPort],
    ["the development IdP", DEV_STACK_ENV.idpPort],
    ["the gateway", DEV_STACK_ENV.gatewayPort],
  ])("refuses before starting anything, naming %s's variable %s", async (label, variable) => {
    const blocker = await occupyPort();
    const root = await mkdtemp(path.join(os.tmpdir(), "mcpbox-port-"));
    try {
      const ports = { [DEV_STACK_ENV.workerPort]: "0", [DEV_STACK_ENV.idpPort]: "0", [DEV_STACK_ENV.gatewayPort]: "0", [variable]: String(blocker.port) };
      const config = loadStackConfig({ ...ports, [DEV_STACK_ENV.stateDir]: path.join(root, "state"), [DEV_STACK_ENV.devVarsFile]: path.join(root, ".dev.vars") });
      const error = await startStack(config, { bundle: { entry: "never-used.js" } }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StackError);
      expect((error as StackError).code).toBe("port_in_use");
      expect((error as Error).message).toContain(`port ${blocker.port} on 127.0.0.1 (${label}) is already in use`);
      expect((error as Error).message).toContain(`${variable}=<port> npm start`);
      expect(await readdir(root)).toEqual([]);
    } finally {
      await blocker.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("a restart of the stack", () => {
  it("reuses .dev.vars, the persisted KV and the IdP's store, so tokens issued before still work after (refresh re-checked at the IdP too)", async () => {
    const workerPort = String(await freePort());
    // Every refresh re-checks at the IdP, whose refresh tokens must survive the restart.
    const env = { [DEV_STACK_ENV.workerPort]: workerPort, [WORKER_VAR_NAMES.accessRecheckSeconds]: "0" };
    const first = await startTestStack({ env });
    let second: Awaited<ReturnType<typeof startTestStack>> | undefined;
    try {
      expect(first.generatedSecrets.length).toBe(4);
      const flow = await runAuthorizationCodeFlow(first.network(), { mcpUrl: first.urls.mcp, email: "restart@example.com" });
      await first.close({ keepState: true });

      second = await startTestStack({ env, stateRoot: first.stateRoot });
      expect(second.generatedSecrets).toEqual([]);
      expect(second.secrets).toEqual(first.secrets);
      expect(second.urls.mcp).toBe(first.urls.mcp);
      const client = new Client({ name: "restart-e2e", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(second.urls.mcp), { requestInit: { headers: { Authorization: `Bearer ${flow.tokens.access_token}` } } }));
      expect(await echoText(client, "still signed in")).toBe("Echo: still signed in");
      await client.close();
      const refreshed = await postForm(second.network(), flow.discovery.authorizationServer.token_endpoint, {
        grant_type: "refresh_token",
        refresh_token: flow.tokens.refresh_token ?? "",
        client_id: flow.client.client_id,
      });
      expect(refreshed.status).toBe(200);
    } finally {
      await (second ?? first).close();
    }
  });
});
