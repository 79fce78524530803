/**
 * The local stack's settings as `npm start` reads them from the environment: default ports and
 * state paths, the default upstream (server-everything from node_modules, never npx), the
 * gateway's and the Worker's own variables passed through, and mistakes named by variable.
 */
import path from "node:path";
import { GATEWAY_ENV, WORKER_VAR_NAMES } from "@mcpbox/shared";
import { describe, expect, it } from "vitest";
import { DEFAULT_DEV_PORTS, DEV_STACK_ENV, INSPECTOR_ORIGINS, loadStackConfig } from "../src/stack/config";
import { StackError } from "../src/stack/errors";
import { everythingEntry } from "../src/stack/upstream";

const ROOT = path.resolve("/srv/mcpbox");

describe("loadStackConfig", () => {
  it("defaults to ports 8787 (Worker), 8788 (IdP), 8002 (gateway) and state at the repository root", () => {
    const config = loadStackConfig({}, ROOT);
    expect(config.ports).toEqual({ worker: 8787, idp: 8788, gateway: 8002 });
    expect(DEFAULT_DEV_PORTS).toEqual(config.ports);
    expect(config.devVarsFile).toBe(path.join(ROOT, ".dev.vars"));
    expect(config.stateDir).toBe(path.join(ROOT, ".mcpbox-dev"));
  });

  it("runs server-everything over stdio from node_modules with this Node when no upstream is set", () => {
    const config = loadStackConfig({}, ROOT);
    expect(config.defaultUpstream).toBe(true);
    const command = config.gatewayEnv[GATEWAY_ENV.upstreamCommand] ?? "";
    expect(command).toBe(`${process.execPath} ${everythingEntry()} stdio`);
    expect(command).not.toContain("npx");
    expect(everythingEntry()).toMatch(/node_modules\/@modelcontextprotocol\/server-everything\/dist\/index\.js$/);
  });

  it("passes the user's upstream and gateway settings through, but never their token, host or port", () => {
    const config = loadStackConfig(
      {
        [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:3001/mcp",
        [GATEWAY_ENV.allowedEmails]: "a@example.com",
        [GATEWAY_ENV.serviceToken]: "from-the-environment",
        [GATEWAY_ENV.host]: "0.0.0.0",
        [GATEWAY_ENV.port]: "9002",
      },
      ROOT,
    );
    expect(config.defaultUpstream).toBe(false);
    expect(config.gatewayEnv).toEqual({
      [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:3001/mcp",
      [GATEWAY_ENV.allowedEmails]: "a@example.com",
    });
    expect(config.ports.gateway).toBe(9002);
  });

  it("lets the Worker's token lifetime and allowlist be overridden, and allows MCP Inspector's origin", () => {
    const config = loadStackConfig(
      { [WORKER_VAR_NAMES.accessTokenTtlSeconds]: "120", [WORKER_VAR_NAMES.corsOrigins]: "https://app.example" },
      ROOT,
    );
    expect(config.workerVars[WORKER_VAR_NAMES.accessTokenTtlSeconds]).toBe("120");
    expect(config.workerVars[WORKER_VAR_NAMES.corsOrigins]).toBe([...INSPECTOR_ORIGINS, "https://app.example"].join(","));
  });

  it("passes the grant lifetimes and the Access re-check interval through to the Worker", () => {
    const names = [
      WORKER_VAR_NAMES.refreshTokenTtlSeconds,
      WORKER_VAR_NAMES.refreshTokenIdleSeconds,
      WORKER_VAR_NAMES.grantMaxAgeSeconds,
      WORKER_VAR_NAMES.accessRecheckSeconds,
    ];
    const config = loadStackConfig(Object.fromEntries(names.map((name, i) => [name, String(600 + i)])), ROOT);
    expect(names.map((name) => config.workerVars[name])).toEqual(["600", "601", "602", "603"]);
  });

  it("names the variable of every malformed or clashing port", () => {
    let error: unknown;
    try {
      loadStackConfig({ [DEV_STACK_ENV.workerPort]: "http", [DEV_STACK_ENV.idpPort]: "8002" }, ROOT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).code).toBe("config_invalid");
    expect((error as Error).message).toContain(`${DEV_STACK_ENV.workerPort} must be a TCP port`);
    expect((error as Error).message).toContain(`(${DEV_STACK_ENV.idpPort}, ${DEV_STACK_ENV.gatewayPort})`);
  });

  it("accepts port 0 for every component (tests pick free ports)", () => {
    const config = loadStackConfig(
      { [DEV_STACK_ENV.workerPort]: "0", [DEV_STACK_ENV.idpPort]: "0", [DEV_STACK_ENV.gatewayPort]: "0" },
      ROOT,
    );
    expect(config.ports).toEqual({ worker: 0, idp: 0, gateway: 0 });
  });
});
