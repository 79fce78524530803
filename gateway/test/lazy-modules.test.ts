/**
 * A gateway loads only what its configuration uses: in front of a Streamable HTTP server without a
 * tool policy it loads no npm package at all. The stdio bridge (the MCP SDK, zod, cross-spawn) and
 * the policy's YAML parser are loaded when asked for. A process that carries less also relays each
 * request with less CPU (docs/decisions.md, 2026-11-27), and uses about 17 MB less memory.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { GATEWAY_ENV } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_TOKEN } from "./helpers/gateway";
import { policyDir } from "./helpers/policy";
import type { PolicyDir } from "./helpers/policy";

const SCRIPT = fileURLToPath(new URL("./helpers/loaded-packages.ts", import.meta.url));
const STDIO_ONLY = ["@modelcontextprotocol/sdk", "zod", "cross-spawn"];

/** The npm packages a gateway started with `env` has loaded once it is ready. */
function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    env: {
      PATH: process.env.PATH ?? "",
      [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
      [GATEWAY_ENV.host]: "127.0.0.1",
      [GATEWAY_ENV.port]: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`exited ${code}: ${err}`)))),
  );
}

let policy: PolicyDir;
beforeAll(async () => {
  policy = await policyDir("rules:\n  - name: guest-echo\n    users: [guest@example.com]\n    allow: { tools: [echo] }\n");
});
afterAll(async () => {
  await policy?.remove();
});

describe("what a gateway loads", () => {
  it("in front of an HTTP server without a policy: no npm package", async () => {
    expect(await loadedPackages({ [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:9/mcp" })).toEqual([]);
  });

  it("with a tool policy: the YAML parser, and still nothing of the stdio bridge", async () => {
    const loaded = await loadedPackages({ [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:9/mcp", [GATEWAY_ENV.policy]: policy.path });
    expect(loaded).toContain("yaml");
    for (const name of STDIO_ONLY) expect(loaded).not.toContain(name);
  });

  it("in front of a stdio server: the MCP SDK and what it needs, and no YAML parser", async () => {
    const loaded = await loadedPackages({ [GATEWAY_ENV.upstreamCommand]: `${JSON.stringify(process.execPath)} -e 0` });
    for (const name of ["@modelcontextprotocol/sdk", "zod"]) expect(loaded).toContain(name);
    expect(loaded).not.toContain("yaml");
  });
});
