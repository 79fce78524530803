/**
 * The library pieces the CLI and the web wizard share: input rules, allow rules, the token
 * checklist (Access permissions unchecked until Zero Trust exists), the setup's progress read from
 * the state, the home-side ways a repository offers, stepwise setup (later steps' names may still
 * change; who may sign in is asked on the Access screen, while a whole run needs it before any
 * write), and progress as events.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkAllow, parseAllowFlag } from "../src/allow";
import { ALL_PERMISSIONS, PERMISSIONS } from "../src/cloudflare/permissions";
import { runSetup } from "../src/commands/setup";
import { PermissionsMissingError, PrerequisiteError, UsageError } from "../src/errors";
import { homeSideWays } from "../src/home-side";
import { checkInput, checkPort, INPUT_RULES } from "../src/inputs";
import { createEventReporter, type ProgressEvent } from "../src/run/progress-events";
import { readEnvFile } from "../src/state/env-file";
import { loadState } from "../src/state/files";
import { completedSteps, isSetUp } from "../src/state/progress";
import { tokenChecklist } from "../src/token-checklist";
import { loadWizardConfig } from "../src/web/config";
import { inventory, permissionsWithout } from "./helpers/fake-cloudflare";
import { scriptedPrompter, useFreshHarness, type Harness } from "./helpers/harness";

let h: Harness;
useFreshHarness((harness) => (h = harness));

describe("shared inputs", () => {
  it("checks names and ports with one rule for the flag and the field", () => {
    expect(checkInput(INPUT_RULES.workerName, " my-proxy ", "Worker name")).toEqual({ ok: true, value: "my-proxy" });
    expect(checkInput(INPUT_RULES.workerName, "My_Proxy", "Worker name")).toEqual({
      ok: false,
      problem: expect.stringMatching(/^Worker name "My_Proxy" is not valid: expected lowercase/),
    });
    expect(checkInput(INPUT_RULES.tunnelName, "", "--tunnel-name")).toEqual({ ok: false, problem: "--tunnel-name needs a value." });
    expect(checkPort("8002", "Gateway port")).toEqual({ ok: true, value: 8002 });
    expect(checkPort("70000", "Gateway port").ok).toBe(false);
  });

  it("builds allow rules from the page's choices and from the flag alike", () => {
    expect(checkAllow("emails", "B@x.com\na@y.org, b@x.com")).toEqual({
      ok: true,
      rule: { kind: "emails", emails: ["a@y.org", "b@x.com"] },
    });
    expect(checkAllow("emails", "  ")).toEqual({ ok: false, problem: "No email address given." });
    expect(checkAllow("domain", "@Example.com")).toEqual({ ok: true, rule: { kind: "domain", domain: "example.com" } });
    expect(checkAllow("domain", "not a domain").ok).toBe(false);
    expect(parseAllowFlag("emails:B@x.com,a@y.org")).toEqual({ kind: "emails", emails: ["a@y.org", "b@x.com"] });
    expect(() => parseAllowFlag("emails:nope")).toThrow('--allow: "nope" is not an email address.');
  });
});

describe("token checklist", () => {
  it("ticks every permission by dashboard name, marking what is missing and what was not reached", () => {
    const missing = tokenChecklist({ ok: false, error: new PermissionsMissingError([PERMISSIONS.workersKv]) });
    expect(missing.map((i) => [i.label, i.state])).toEqual([
      ...ALL_PERMISSIONS.map((p) => [p, p === PERMISSIONS.workersKv ? "missing" : "ok"]),
      [expect.stringContaining("Zero Trust"), "unchecked"],
      [expect.stringContaining("workers.dev"), "unchecked"],
    ]);
    const noOrg = tokenChecklist({ ok: false, error: new PrerequisiteError(["no org"], "hint", ["zero-trust-organization"]) });
    expect(noOrg.slice(-2).map((i) => i.state)).toEqual(["missing", "ok"]);
    expect(tokenChecklist({ ok: false, error: new Error("network") })).toEqual([]);
  });
});

describe("token checklist before Zero Trust exists", () => {
  /** The checklist the page shows after step 1 on an account without a Zero Trust organization. */
  async function checklistWithoutZeroTrust(permissions?: ReturnType<typeof permissionsWithout>) {
    const bare = h.fake.addAccount("NoZeroTrust", { authDomain: null });
    const token = h.fake.addToken({ accounts: [bare], ...(permissions ? { permissions } : {}) });
    const error = await runSetup({ ...h.options, apiToken: token }, h.deps, 1).catch((e: unknown) => e);
    return { error, items: tokenChecklist({ ok: false, error }).map((i) => [i.label, i.state, i.detail]) };
  }
  const later = "checked once the Zero Trust organization below exists";

  it("marks the Access permissions the probes could not reach as not checked, and Zero Trust as missing", async () => {
    const { error, items } = await checklistWithoutZeroTrust();
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect(items).toEqual([
      ["Account › Access: Apps › Edit", "unchecked", later],
      ["Account › Access: Policies › Edit", "unchecked", later],
      ["Account › Access: Organizations › Read", "ok", undefined],
      ["Account › Access: Identity Providers › Read", "unchecked", later],
      ["Account › Cloudflare Tunnel › Edit", "ok", undefined],
      ["Account › Connectivity Directory › Admin", "ok", undefined],
      ["Account › Workers Scripts › Edit", "ok", undefined],
      ["Account › Workers KV Storage › Edit", "ok", undefined],
      [expect.stringContaining("Zero Trust organization"), "missing", undefined],
      [expect.stringContaining("workers.dev subdomain"), "ok", undefined],
    ]);
    expect(h.fake.writes()).toEqual([]);
  });

  it("with a permission missing as well, names it and says Zero Trust is needed before Access can be checked", async () => {
    const { error, items } = await checklistWithoutZeroTrust(permissionsWithout("Workers KV Storage"));
    expect(error).toBeInstanceOf(PermissionsMissingError);
    expect((error as PermissionsMissingError).hint).toContain(
      "no Zero Trust organization yet, so Account › Access: Apps › Edit; Account › Access: Policies › Edit; Account › Access: Identity Providers › Read could not be checked",
    );
    expect(items.filter(([, state]) => state !== "ok")).toEqual([
      ["Account › Access: Apps › Edit", "unchecked", later],
      ["Account › Access: Policies › Edit", "unchecked", later],
      ["Account › Access: Identity Providers › Read", "unchecked", later],
      ["Account › Workers KV Storage › Edit", "missing", undefined],
      [expect.stringContaining("Zero Trust organization"), "missing", undefined],
      [expect.stringContaining("workers.dev subdomain"), "unchecked", undefined],
    ]);
  });
});

describe("who may sign in", () => {
  it("is asked on the Access screen only: screens 1-4 ask nothing and leave a Worker nobody can sign in to; screen 5's rule reaches Access, the Worker and the env file", async () => {
    const { allow: _rule, ...options } = h.options;
    // The page's prompter is interactive: a question here would hang the page's screen.
    const page = scriptedPrompter({});
    const deps = { ...h.deps, prompter: page };
    for (const through of [1, 2, 3, 4]) await runSetup(options, deps, through);
    expect(page.asked).toEqual([]);
    const script = () => h.account.scripts.get("mcpbox-proxy");
    expect(script()?.secrets.size).toBe(0);
    const vars = () =>
      Object.fromEntries(((script()?.metadata.bindings ?? []) as Array<{ name: string; text?: string }>).map((b) => [b.name, b.text]));
    expect(vars().ALLOWED_EMAILS).toBe("");
    const env = async () => readEnvFile(h.envFile);
    expect((await env()).get("MCPBOX_SERVICE_TOKEN")).toMatch(/^[0-9a-f]+$/);
    expect((await env()).has("MCPBOX_ALLOWED_EMAILS")).toBe(false);
    expect((await loadState(h.statePath)).state.allow).toBeUndefined();

    await runSetup({ ...options, allow: { kind: "domain", domain: "example.org" } }, deps, 5);
    expect(page.asked).toEqual([]);
    expect([...h.account.apps.values()].flatMap((a) => [...a.policies.values()].map((p) => p.include))).toEqual([
      [{ email_domain: { domain: "example.org" } }],
    ]);
    expect(vars().ALLOWED_EMAILS).toBe("*@example.org");
    expect((await env()).get("MCPBOX_ALLOWED_EMAILS")).toBe("*@example.org");
    expect(script()?.secrets.size).toBe(7);
    expect((await loadState(h.statePath)).state.allow).toEqual({ kind: "domain", domain: "example.org" });
  });

  it("is needed by a whole run before any write: asked on a terminal, refused without one", async () => {
    const { allow: _rule, ...options } = h.options;
    await expect(runSetup(options, h.deps)).rejects.toThrow(UsageError);
    expect(h.fake.writes()).toEqual([]);
    const terminal = scriptedPrompter({ ask: "emails:a@example.com" });
    await runSetup(options, { ...h.deps, prompter: terminal });
    expect(terminal.asked).toEqual([expect.stringContaining("Who may sign in?")]);
    expect((await loadState(h.statePath)).state.allow).toEqual({ kind: "emails", emails: ["a@example.com"] });
  });
});

describe("stepwise setup", () => {
  it("runs the first steps only, resumes from the state, and lets a name change until its resource exists", async () => {
    const events: ProgressEvent[] = [];
    const first = await runSetup(h.options, { ...h.deps, reporter: createEventReporter((e) => events.push(e)) }, 2);
    expect(first.stepsRun).toBe(2);
    expect(first.checks).toMatchObject({ accountName: "Example", tokenOwner: "user", workersSubdomain: "example" });
    expect(events.filter((e) => e.type === "step").map((e) => (e.type === "step" ? `${e.n}/${e.total}` : ""))).toEqual(["1/6", "2/6"]);
    expect(events).toContainEqual({ type: "line", text: expect.stringMatching(/^\+ created the tunnel "mcpbox-tunnel"/) });
    const { state } = await loadState(h.statePath);
    expect(completedSteps(state)).toBe(2);
    expect(inventory(h.account).scripts).toEqual([]);

    await expect(runSetup({ ...h.options, tunnelName: "other-tunnel" }, h.deps, 3)).rejects.toThrow(/tunnel-name is "mcpbox-tunnel"/);
    await runSetup({ ...h.options, workerName: "my-proxy" }, h.deps);
    const done = (await loadState(h.statePath)).state;
    expect(isSetUp(done)).toBe(true);
    expect(inventory(h.account)).toMatchObject({
      tunnels: ["mcpbox-tunnel"],
      scripts: ["my-proxy"],
      kv: ["my-proxy-OAUTH_KV"],
      apps: ["my-proxy"],
    });
  });
});

describe("the wizard's files", () => {
  it("default as the CLI's do: gateway.env next to the state file, so .mcpbox/gateway.env", () => {
    const files = (argv: string[]) => {
      const { statePath, envFile } = loadWizardConfig({}, argv).settings;
      return { statePath, envFile };
    };
    expect(files([])).toEqual({ statePath: path.join(".mcpbox", "state.json"), envFile: path.join(".mcpbox", "gateway.env") });
    expect(files(["--state", "other/setup.json"])).toEqual({ statePath: "other/setup.json", envFile: path.join("other", "gateway.env") });
    expect(files(["--", "--env-file", "home.env"]).envFile).toBe("home.env");
  });
});

describe("home-side ways", () => {
  it("offers npm run connect and docker compose when the repository has them, else the commands by hand", async () => {
    const root = path.join(h.dir, "repo");
    await mkdir(root, { recursive: true });
    expect(homeSideWays(root, ".mcpbox/gateway.env").map((w) => w.id)).toEqual(["by-hand"]);
    await writeFile(path.join(root, "package.json"), JSON.stringify({ scripts: { connect: "x" } }));
    await writeFile(path.join(root, "compose.yaml"), "services: {}\n");
    const ways = homeSideWays(root, ".mcpbox/gateway.env");
    expect(ways.map((w) => [w.id, w.commands])).toEqual([
      ["npm-connect", ["npm run connect"]],
      ["docker-compose", ["docker compose up -d"]],
    ]);
    expect(ways.every((w) => w.note.includes(".mcpbox/gateway.env"))).toBe(true);
  });
});
