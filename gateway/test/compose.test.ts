/**
 * compose.yaml and gateway/Dockerfile, checked without a Docker engine: the file validates against
 * the Compose Specification's JSON schema (the copy dclint ships), passes dclint with no warning,
 * and keeps the isolation rules (compose-rules.ts), its commented MCP-server example included. The
 * checker itself is shown to catch each way the file could go wrong.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commentedExample, isolationProblems } from "./helpers/compose-rules";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const COMPOSE_TEXT = readFileSync(path.join(ROOT, "compose.yaml"), "utf8");
const DOCKERFILE = readFileSync(path.join(ROOT, "gateway", "Dockerfile"), "utf8");
const require = createRequire(import.meta.url);
const DCLINT_DIR = path.dirname(require.resolve("dclint/package.json"));

const compose = () => parse(COMPOSE_TEXT) as Record<string, Record<string, Record<string, unknown>>>;

describe("compose.yaml", () => {
  it("is valid against the Compose Specification schema", () => {
    // A draft-07 schema that names its meta-schema by an https URL Ajv does not know; draft-07 is Ajv's default.
    const { $schema: _metaSchema, ...schema } = JSON.parse(
      readFileSync(path.join(DCLINT_DIR, "schemas", "compose.schema.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(_metaSchema).toMatch(/draft-07/);
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    expect(validate(compose()), JSON.stringify(validate.errors)).toBe(true);
    // The schema catches a misspelt key: the check is not vacuous.
    const broken = compose();
    (broken.services?.["mcp-gateway"] as Record<string, unknown>).read_onyl = true;
    expect(validate(broken)).toBe(false);
  });

  it("passes dclint without a warning", async () => {
    const bin = path.join(DCLINT_DIR, "bin", "dclint.cjs");
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      "--max-warnings",
      "0",
      "--color",
      "false",
      path.join(ROOT, "compose.yaml"),
    ]);
    expect(stdout).not.toMatch(/warning|error/);
  });

  it("keeps the gateway and the MCP server off the internet, and the tokens off the command line", () => {
    expect(isolationProblems(compose())).toEqual([]);
  });

  it("keeps the rules with the commented example of your own MCP server switched on", () => {
    const example = commentedExample(COMPOSE_TEXT, "my-mcp-server");
    expect(example).toContain("my-mcp-server:");
    const withExample = parse(COMPOSE_TEXT.replace("services:\n", `services:\n${example}\n`));
    expect(Object.keys(withExample.services)).toContain("my-mcp-server");
    expect(isolationProblems(withExample)).toEqual([]);
  });

  it("the checker catches each way the file could break isolation", () => {
    const variants: Array<[string, (c: ReturnType<typeof compose>) => void, RegExp]> = [
      ["a published gateway port", (c) => void (c.services!["mcp-gateway"]!.ports = ["8002:8002"]), /mcp-gateway publishes ports/],
      [
        "an internet-facing gateway",
        (c) => void (c.services!["mcp-gateway"]!.networks = ["egress", "tunnel"]),
        /mcp-gateway is on egress, which is not internal/,
      ],
      [
        "an MCP server cloudflared can reach",
        (c) => void (c.services!["my-mcp-server"] = { image: "x:1", networks: ["tunnel"] }),
        /my-mcp-server shares tunnel with cloudflared/,
      ],
      ["a network that is no longer internal", (c) => void (c.networks!.mcp = {}), /mcp-gateway is on mcp, which is not internal/],
      [
        "an unpinned cloudflared",
        (c) => void (c.services!.cloudflared!.image = "cloudflare/cloudflared:latest"),
        /not the official image pinned/,
      ],
      [
        "a cloudflared too old for Workers VPC",
        (c) => void (c.services!.cloudflared!.image = "cloudflare/cloudflared:2025.6.1"),
        /older than 2025\.7\.0/,
      ],
      [
        "the token on cloudflared's command line",
        (c) => void (c.services!.cloudflared!.command = ["tunnel", "--no-autoupdate", "run", "--token", "${TUNNEL_TOKEN}"]),
        /token on its command line/,
      ],
      [
        "the gateway bound to loopback",
        (c) => void ((c.services!["mcp-gateway"]!.environment as Record<string, string>).GATEWAY_HOST = "127.0.0.1"),
        /GATEWAY_HOST 0\.0\.0\.0/,
      ],
      ["a writable gateway", (c) => void delete c.services!["mcp-gateway"]!.read_only, /root file system is writable/],
      ["a gateway without its env file", (c) => void delete c.services!["mcp-gateway"]!.env_file, /does not read \.mcpbox\/gateway\.env/],
    ];
    for (const [what, mutate, expected] of variants) {
      const c = compose();
      mutate(c);
      expect(isolationProblems(c).join("\n"), what).toMatch(expected);
    }
  });
});

describe("gateway/Dockerfile", () => {
  it("pins Node 22, runs as a non-root user, checks /health, and bundles the gateway", () => {
    expect(DOCKERFILE).toMatch(/^ARG NODE_VERSION=22\.\d+\.\d+$/m);
    const stages = DOCKERFILE.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    const runtime = stages[1] ?? "";
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER (root|0)\b/m);
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/health/);
    expect(runtime).toMatch(/^CMD \["node", "\/opt\/mcpbox\/gateway\.mjs"\]$/m);
    expect(DOCKERFILE).toContain("node --import tsx gateway/image/bundle.ts /out/gateway.mjs");
    // No package manager, source or secret reaches the runtime stage: only the two build outputs.
    expect(runtime.match(/^COPY .*$/gm)).toEqual([
      "COPY --from=build /out/gateway.mjs ./gateway.mjs",
      "COPY --from=build /out/everything ./everything",
    ]);
  });

  it("keeps secrets and local state out of the build context", () => {
    const ignored = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const entry of [".mcpbox", ".env", ".dev.vars", "**/node_modules", ".git"]) expect(ignored).toContain(entry);
  });
});
