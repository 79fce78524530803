/**
 * The library pieces the CLI and the web wizard share: input rules, allow rules, the token
 * checklist, the setup's progress read from the state, the home-side ways a repository offers,
 * stepwise setup (later steps' names may still change), and progress as events.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkAllow, parseAllowFlag } from "../src/allow";
import { ALL_PERMISSIONS, PERMISSIONS } from "../src/cloudflare/permissions";
import { runSetup } from "../src/commands/setup";
import { PermissionsMissingError, PrerequisiteError } from "../src/errors";
import { homeSideWays } from "../src/home-side";
import { checkInput, checkPort, INPUT_RULES } from "../src/inputs";
import { createEventReporter, type ProgressEvent } from "../src/run/progress-events";
import { loadState } from "../src/state/files";
import { completedSteps, isSetUp } from "../src/state/progress";
import { tokenChecklist } from "../src/token-checklist";
import { inventory } from "./helpers/fake-cloudflare";
import { useFreshHarness, type Harness } from "./helpers/harness";

let h: Harness;
useFreshHarness((harness) => (h = harness));

describe("shared inputs", () => {
  it("checks names and ports with one rule for the flag and the field", () => {
    expect(checkInput(INPUT_RULES.workerName, " my-proxy ", "Worker name")).toEqual({ ok: true, value: "my-proxy" });
    expect(checkInput(INPUT_RULES.workerName, "My_Proxy", "Worker name")).toEqual({ ok: false, problem: expect.stringMatching(/^Worker name "My_Proxy" is not valid: expected lowercase/) });
    expect(checkInput(INPUT_RULES.tunnelName, "", "--tunnel-name")).toEqual({ ok: false, problem: "--tunnel-name needs a value." });
    expect(checkPort("8002", "Gateway port")).toEqual({ ok: true, value: 8002 });
    expect(checkPort("70000", "Gateway port").ok).toBe(false);
  });

  it("builds allow rules from the page's choices and from the flag alike", () => {
    expect(checkAllow("emails", "B@x.com\na@y.org, b@x.com")).toEqual({ ok: true, rule: { kind: "emails", emails: ["a@y.org", "b@x.com"] } });
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
    expect(inventory(h.account)).toMatchObject({ tunnels: ["mcpbox-tunnel"], scripts: ["my-proxy"], kv: ["my-proxy-OAUTH_KV"], apps: ["my-proxy"] });
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
