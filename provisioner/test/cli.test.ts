/**
 * The CLI contract: commands, flags and defaults, `--json` output on stdout, errors that say what
 * to do with the right exit code, CLOUDFLARE_API_TOKEN / CLOUDFLARE_API_BASE_URL from the
 * environment, and the token never printed. One run goes through the real entry (tsx cli.ts).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli/args";
import { main } from "../src/cli/main";
import { PERMISSIONS } from "../src/cloudflare/permissions";
import { REPO_ROOT } from "../src/bundle/wrangler-bundle";
import { UsageError } from "../src/errors";
import { createHarness, type Harness } from "./helpers/harness";
import { permissionsWithout } from "./helpers/fake-cloudflare";

describe("parseCliArgs", () => {
  it("applies the design's defaults", () => {
    const args = parseCliArgs(["setup"]);
    expect(args).toEqual({
      command: "setup",
      flags: {
        apiToken: undefined,
        accountId: undefined,
        tunnelName: undefined,
        vpcServiceName: undefined,
        workerName: undefined,
        gatewayHost: undefined,
        gatewayPort: undefined,
        allow: undefined,
        statePath: ".mcpbox/state.json",
        envFile: undefined,
        yes: false,
        json: false,
        adopt: false,
        verify: true,
        finish: false,
      },
    });
  });

  it("reads every flag", () => {
    const args = parseCliArgs([
      "setup",
      "--api-token=t0k",
      "--account-id",
      "0123456789abcdef0123456789abcdef",
      "--tunnel-name=t1",
      "--vpc-service-name=s1",
      "--worker-name=w-1",
      "--gateway-host=gw.lan",
      "--gateway-port=9000",
      "--allow=emails:B@x.com,a@y.org",
      "--state=s.json",
      "--env-file=.env",
      "--yes",
      "--json",
      "--adopt",
      "--no-verify",
    ]);
    expect(args).toMatchObject({
      command: "setup",
      flags: {
        apiToken: "t0k",
        accountId: "0123456789abcdef0123456789abcdef",
        tunnelName: "t1",
        vpcServiceName: "s1",
        workerName: "w-1",
        gatewayHost: "gw.lan",
        gatewayPort: 9000,
        allow: { kind: "emails", emails: ["a@y.org", "b@x.com"] },
        statePath: "s.json",
        envFile: ".env",
        yes: true,
        json: true,
        adopt: true,
        verify: false,
      },
    });
  });

  it("knows the commands, including the two-word one and --set-secrets", () => {
    expect(parseCliArgs(["secrets", "sync"]).command).toBe("secrets sync");
    expect(parseCliArgs(["--set-secrets"]).command).toBe("secrets sync");
    expect(parseCliArgs(["rotate-service-token", "--finish"])).toMatchObject({ command: "rotate-service-token", flags: { finish: true } });
    expect(parseCliArgs(["--help"]).command).toBe("help");
    for (const c of ["status", "doctor", "teardown"]) expect(parseCliArgs([c]).command).toBe(c);
  });

  it.each([
    [["deploy"], /Unknown command "deploy"/],
    [[], /No command given/],
    [["setup", "--gateway-port=70000"], /not a port number/],
    [["setup", "--worker-name=My_Worker"], /--worker-name "My_Worker" is not valid/],
    [["setup", "--allow=friends"], /--allow: "friends" is not understood/],
    [["setup", "--allow=emails:nope"], /"nope" is not an email address/],
    [["setup", "--account-id=xyz"], /32-character hex/],
    [["status", "--finish"], /--finish belongs to rotate-service-token/],
    [["teardown", "--set-secrets"], /cannot be combined/],
    [["setup", "--bogus"], /Unknown option '--bogus'/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe("main", () => {
  let h: Harness;
  let out: string[];
  let err: string[];
  beforeEach(async () => {
    h = await createHarness();
    out = [];
    err = [];
  });
  afterEach(async () => {
    await h.close();
  });

  const run = (argv: string[], env: Record<string, string | undefined> = {}) =>
    main({
      argv,
      env: { CLOUDFLARE_API_TOKEN: h.token, CLOUDFLARE_API_BASE_URL: h.fake.baseUrl, ...env },
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      deps: { bundler: h.deps.bundler, http: h.deps.http, sleep: h.deps.sleep, cloudflaredVersion: h.deps.cloudflaredVersion },
    });
  const base = () => [`--state=${h.statePath}`, `--env-file=${h.envFile}`, "--yes", `--gateway-port=${h.options.gatewayPort}`];

  it("setup --json prints one JSON document on stdout; a re-run reports zero writes", async () => {
    expect(await run(["setup", ...base(), "--json", "--allow=domain:example.com"])).toBe(0);
    const first = JSON.parse(out.join(""));
    expect(first).toMatchObject({ command: "setup", ok: true, changed: true, mcpUrl: "https://mcpbox-proxy.example.workers.dev/mcp" });
    expect(first.api.writes).toBe(8);
    expect(err.join("")).toContain("Step 6 of 6");
    out.length = 0;
    expect(await run(["setup", ...base(), "--json"])).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({ changed: false, api: { writes: 0 } });
    expect(`${out.join("")}${err.join("")}`).not.toContain(h.token);
  });

  it("prints progress and a summary on stdout without --json", async () => {
    expect(await run(["setup", ...base(), "--allow=everyone"])).toBe(0);
    const text = out.join("");
    expect(text).toMatch(/Step 1 of 6: API token and account/);
    expect(text).toMatch(/✓ Setup complete \(8 API writes/);
    out.length = 0;
    await run(["setup", ...base()]);
    expect(out.join("")).toMatch(/Nothing to change: everything was already in place \(0 writes/);
  });

  it("reports missing permissions by name, as JSON with --json, exit code 1", async () => {
    const token = h.fake.addToken({ accounts: [h.account], permissions: permissionsWithout("Connectivity Directory") });
    expect(await run(["setup", ...base(), "--json", "--allow=everyone"], { CLOUDFLARE_API_TOKEN: token })).toBe(1);
    const doc = JSON.parse(out.join(""));
    expect(doc).toMatchObject({
      ok: false,
      command: "setup",
      error: { code: "permissions_missing", missingPermissions: [PERMISSIONS.connectivity] },
    });
    expect(doc.error.hint).toContain("api-tokens");
    expect(out.join("")).not.toContain(token);
  });

  it("explains errors on stderr with what to do next", async () => {
    expect(await run(["setup", ...base()])).toBe(2);
    expect(err.join("")).toMatch(/✗ Say who may sign in at Cloudflare Access\.\n {2}Pass --allow everyone/);
  });

  it("checks the Worker settings flags before anything runs", async () => {
    expect(await run(["setup", ...base(), "--allow=everyone", "--access-token-ttl=30"])).toBe(2);
    expect(err.join("")).toContain('--access-token-ttl "30" is not valid: expected whole seconds from 60 to 86400');
    expect(await run(["setup", ...base(), "--allow=everyone", "--cors-origins=not a url"])).toBe(2);
    expect(err.join("")).toContain("--cors-origins: not an origin");
    expect(h.fake.calls).toEqual([]);
  });

  it("asks for a token when there is none", async () => {
    expect(await run(["status"], { CLOUDFLARE_API_TOKEN: undefined })).toBe(2);
    expect(err.join("")).toMatch(/No Cloudflare API token[\s\S]*CLOUDFLARE_API_TOKEN/);
  });

  it("accepts --api-token, and refuses a plain-http API base that is not loopback", async () => {
    expect(await run(["setup", ...base(), "--allow=everyone", `--api-token=${h.token}`], { CLOUDFLARE_API_TOKEN: undefined })).toBe(0);
    expect(await run(["status"], { CLOUDFLARE_API_BASE_URL: "http://api.example.com/client/v4" })).toBe(2);
    expect(err.join("")).toContain("must be an https:// URL");
  });

  it("--set-secrets is secrets sync", async () => {
    await run(["setup", ...base(), "--allow=everyone"]);
    out.length = 0;
    h.fake.resetCalls();
    expect(await run(["--set-secrets", ...base(), "--json"])).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({ command: "secrets sync", mode: "bulk" });
    expect(h.fake.writes().map((c) => c.path.split("/").pop())).toEqual(["secrets-bulk"]);
  });

  it("--help lists every command and flag of the contract", async () => {
    expect(await run(["--help"])).toBe(0);
    const text = out.join("");
    for (const word of [
      "setup",
      "status",
      "doctor",
      "secrets sync",
      "rotate-service-token",
      "teardown",
      "--api-token",
      "--account-id",
      "--tunnel-name",
      "--vpc-service-name",
      "--worker-name",
      "--gateway-host",
      "--gateway-port",
      "--allow",
      "--state",
      "--env-file",
      "--adopt",
      "--yes",
      "--json",
      "--no-verify",
      "CLOUDFLARE_API_BASE_URL",
      ".mcpbox/state.json",
      "mcpbox-tunnel",
      "mcpbox-service",
      "mcpbox-proxy",
      "8002",
    ]) {
      expect(text).toContain(word);
    }
  });
});

describe("the real entry points", () => {
  const exec = promisify(execFile);
  const missing = "/nonexistent/dir/.env";

  it("`npm run provision` (the root script) accepts --env-file naming a file that does not exist yet", async () => {
    const rootPackage = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const [command, ...args] = (rootPackage.scripts.provision ?? "").split(" ");
    expect(command).toBe("tsx");
    const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const env = { PATH: process.env.PATH };
    // Without a token the CLI itself answers (exit 2): Node did not swallow --env-file (exit 9).
    const bad = await exec(tsx, [...args, "status", `--env-file=${missing}`], { cwd: REPO_ROOT, env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain("No Cloudflare API token");
    const usage = await exec(tsx, [...args, "status", "--gateway-port=0"], { cwd: REPO_ROOT, env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((usage as { stderr: string }).stderr).toContain("not a port number");
  });

  it("the mcpbox-remote bin runs, --env-file included", async () => {
    const bin = path.join(REPO_ROOT, "provisioner", "bin", "mcpbox-remote.js");
    const ok = await exec(bin, ["--help", "--env-file", missing], { cwd: REPO_ROOT });
    expect(ok.stdout).toContain("Usage: mcpbox-remote <command>");
  });
});
