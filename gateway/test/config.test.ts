/**
 * loadConfig(): the defaults, the frozen result, and one clear message per mistake, all reported
 * at once, so an operator fixes the environment in one go. No token, no gateway.
 */
import { GATEWAY_ENV } from "@mcpbox/shared";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/index";

const TOKEN = "a".repeat(64);
const base = { [GATEWAY_ENV.serviceToken]: TOKEN, [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:3001/mcp" };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("loadConfig accepted the environment");
}

describe("loadConfig", () => {
  it("applies the documented defaults and freezes the result", () => {
    const config = loadConfig(base);
    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(8002);
    expect(config.maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(config.allowedHosts).toEqual(["localhost", "127.0.0.1", "[::1]", "mcp-gateway"]);
    expect(config.allowedOrigins).toEqual([]);
    expect(config.allowedEmails.allowsAnyone).toBe(true);
    expect(config.auditLogPath).toBeUndefined();
    expect(config.upstream).toEqual({ kind: "http", url: new URL("http://127.0.0.1:3001/mcp") });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      [GATEWAY_ENV.serviceToken]: `${TOKEN}, ${"b".repeat(40)}`,
      [GATEWAY_ENV.host]: "0.0.0.0",
      [GATEWAY_ENV.port]: "9000",
      [GATEWAY_ENV.upstreamCommand]: `npx -y "@scope/my server" --flag='a b'`,
      [GATEWAY_ENV.allowedEmails]: "a@x.com,*@y.org",
      [GATEWAY_ENV.auditLog]: "/var/log/mcpbox/audit.jsonl",
      [GATEWAY_ENV.allowedHosts]: "Gateway.Internal",
      [GATEWAY_ENV.allowedOrigins]: "https://app.example.com/",
      [GATEWAY_ENV.maxBodyBytes]: "1000",
      [GATEWAY_ENV.upstreamTimeoutMs]: "5000",
      [GATEWAY_ENV.maxSessions]: "3",
      [GATEWAY_ENV.sessionIdleMs]: "60000",
      [GATEWAY_ENV.drainMs]: "0",
    });
    expect(config.serviceTokens).toEqual([TOKEN, "b".repeat(40)]);
    expect(config.port).toBe(9000);
    expect(config.upstream).toEqual({ kind: "stdio", command: "npx", args: ["-y", "@scope/my server", "--flag=a b"] });
    expect([...config.allowedEmails.emails, ...config.allowedEmails.domains]).toEqual(["a@x.com", "y.org"]);
    expect(config.allowedHosts).toContain("gateway.internal");
    expect(config.allowedOrigins).toEqual(["https://app.example.com"]);
    expect([config.maxBodyBytes, config.upstreamTimeoutMs, config.maxSessions, config.sessionIdleMs, config.drainMs]).toEqual([1000, 5000, 3, 60000, 0]);
  });

  it("refuses to start without a service token", () => {
    expect(problemsOf({ [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:3001/mcp" })).toEqual([
      "MCPBOX_SERVICE_TOKEN is not set: the gateway never runs without a service token (the provisioner writes one with --env-file)",
    ]);
    expect(problemsOf({ ...base, [GATEWAY_ENV.serviceToken]: "   " })).toHaveLength(1);
  });

  it.each([
    ["a short token", "short", "MCPBOX_SERVICE_TOKEN is too short (5 characters): use at least 32, e.g. `openssl rand -hex 32`"],
    ["three tokens", `${TOKEN},${TOKEN},${TOKEN}`, "MCPBOX_SERVICE_TOKEN holds 3 tokens: give one, or two separated by a comma while rotating"],
    ["an empty second token", `${TOKEN},`, "token 2 of MCPBOX_SERVICE_TOKEN is empty"],
    ["a token with a space", `${"a".repeat(20)} ${"a".repeat(20)}`, "MCPBOX_SERVICE_TOKEN contains spaces or characters that cannot travel in an HTTP header"],
  ])("explains %s", (_name, token, message) => {
    expect(problemsOf({ ...base, [GATEWAY_ENV.serviceToken]: token })).toContain(message);
  });

  it.each([
    [{ [GATEWAY_ENV.upstreamUrl]: "" }, "no upstream MCP server: set MCP_UPSTREAM_URL (a Streamable HTTP server) or MCP_UPSTREAM_COMMAND (a stdio server command)"],
    [{ [GATEWAY_ENV.upstreamCommand]: "node server.js" }, "set either MCP_UPSTREAM_URL or MCP_UPSTREAM_COMMAND, not both"],
    [{ [GATEWAY_ENV.upstreamUrl]: "not a url" }, "MCP_UPSTREAM_URL is not a URL (expected e.g. http://127.0.0.1:3001/mcp)"],
    [{ [GATEWAY_ENV.upstreamUrl]: "ftp://host/mcp" }, "MCP_UPSTREAM_URL must start with http:// or https://"],
    [{ [GATEWAY_ENV.upstreamUrl]: "http://user:pw@host/mcp" }, "MCP_UPSTREAM_URL must not contain a user name or password"],
    [{ [GATEWAY_ENV.upstreamUrl]: "", [GATEWAY_ENV.upstreamCommand]: "node 'server.js" }, "MCP_UPSTREAM_COMMAND cannot be split into words: it has an unterminated single quote"],
    [{ [GATEWAY_ENV.port]: "80a" }, 'GATEWAY_PORT must be a whole number, got "80a"'],
    [{ [GATEWAY_ENV.port]: "70000" }, "GATEWAY_PORT must be between 0 and 65535, got 70000"],
    [{ [GATEWAY_ENV.maxBodyBytes]: "0" }, "GATEWAY_MAX_BODY_BYTES must be between 1 and 2147483648, got 0"],
    [{ [GATEWAY_ENV.maxSessions]: "-1" }, 'GATEWAY_MAX_SESSIONS must be a whole number, got "-1"'],
    [{ [GATEWAY_ENV.allowedEmails]: "alice" }, 'MCPBOX_ALLOWED_EMAILS: invalid allowlist entry "alice": expected user@example.com or *@example.com'],
    [{ [GATEWAY_ENV.allowedHosts]: "bad host/x" }, 'GATEWAY_ALLOWED_HOSTS: "bad host/x" is not a host name (expected e.g. gateway.internal, without port)'],
    [{ [GATEWAY_ENV.allowedOrigins]: "nope" }, 'GATEWAY_ALLOWED_ORIGINS: not an origin: "nope" (expected e.g. https://app.example.com)'],
  ])("explains %j", (change, message) => {
    expect(problemsOf({ ...base, ...change })).toEqual([message]);
  });

  it("reports every mistake at once", () => {
    const problems = problemsOf({ [GATEWAY_ENV.port]: "x", [GATEWAY_ENV.drainMs]: "soon" });
    expect(problems).toHaveLength(4);
    const error = new ConfigError(problems);
    expect(error.message.split("\n")).toHaveLength(5);
  });
});
