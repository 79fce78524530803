/**
 * The adoption rule: a same-named resource the state does not know is never taken over silently.
 * Under --yes the run fails naming --adopt (before writing anything for that step); --adopt or a
 * "yes" at the prompt takes it over; an Access app whose secret is unknown is replaced, and says so.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { AdoptionRequiredError } from "../src/errors";
import { scriptedPrompter, useFreshHarness, type Harness } from "./helpers/harness";
import { inventory, seed } from "./helpers/fake-cloudflare";

let h: Harness;
useFreshHarness((harness) => (h = harness));

const answering = (answer: boolean) => scriptedPrompter({ confirm: answer });

describe("a same-named tunnel the state does not know", () => {
  it("under --yes fails with a message naming --adopt, and creates nothing", async () => {
    const id = seed.tunnel(h.account, "mcpbox-tunnel");
    const error = await runSetup(h.options, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdoptionRequiredError);
    expect((error as AdoptionRequiredError).message).toContain(id);
    expect((error as AdoptionRequiredError).hint).toContain("--adopt");
    expect(h.fake.writes()).toEqual([]);
    expect(inventory(h.account).tunnels).toEqual(["mcpbox-tunnel"]);
  });

  it("is adopted with --adopt (same id, no second tunnel)", async () => {
    const id = seed.tunnel(h.account, "mcpbox-tunnel");
    await runSetup({ ...h.options, adopt: true }, h.deps);
    expect(inventory(h.account).tunnels).toEqual(["mcpbox-tunnel"]);
    expect(JSON.parse(await readFile(h.statePath, "utf8")).tunnel.id).toBe(id);
    expect(h.output()).toMatch(/adopting the existing tunnel "mcpbox-tunnel"/);
  });

  it("is adopted when the person says yes at the prompt", async () => {
    const id = seed.tunnel(h.account, "mcpbox-tunnel");
    const prompter = answering(true);
    await runSetup({ ...h.options, yes: false }, { ...h.deps, prompter });
    expect(prompter.asked[0]).toContain(`A tunnel named "mcpbox-tunnel" (id ${id}) already exists`);
    expect(JSON.parse(await readFile(h.statePath, "utf8")).tunnel.id).toBe(id);
  });

  it("is left alone when the person says no", async () => {
    seed.tunnel(h.account, "mcpbox-tunnel");
    await expect(runSetup({ ...h.options, yes: false }, { ...h.deps, prompter: answering(false) })).rejects.toBeInstanceOf(
      AdoptionRequiredError,
    );
    expect(h.fake.writes()).toEqual([]);
  });
});

describe("other resources", () => {
  it("under --yes, every taken name is reported at once, before anything is written", async () => {
    const kvId = seed.kv(h.account, "mcpbox-proxy-OAUTH_KV");
    const appId = seed.accessApp(h.account, "mcpbox-proxy");
    const error = await runSetup(h.options, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdoptionRequiredError);
    expect((error as AdoptionRequiredError).conflicts).toEqual([
      { resource: "KV namespace", name: "mcpbox-proxy-OAUTH_KV", id: kvId },
      { resource: "Access application", name: "mcpbox-proxy", id: appId },
    ]);
    expect((error as AdoptionRequiredError).message).toContain("Nothing was changed");
    expect(h.fake.writes()).toEqual([]);
  });

  it("on a terminal, asks about each one when its step comes", async () => {
    seed.kv(h.account, "mcpbox-proxy-OAUTH_KV");
    const prompter = answering(true);
    await runSetup({ ...h.options, yes: false }, { ...h.deps, prompter });
    expect(prompter.asked).toHaveLength(1);
    expect(prompter.asked[0]).toContain('A KV namespace named "mcpbox-proxy-OAUTH_KV"');
    expect(inventory(h.account).kv).toEqual(["mcpbox-proxy-OAUTH_KV"]);
  });

  it("an Access app whose client secret is unknown is replaced under --adopt, and the output says so", async () => {
    const oldId = seed.accessApp(h.account, "mcpbox-proxy");
    await runSetup({ ...h.options, adopt: true }, h.deps);
    const apps = [...h.account.apps.values()];
    expect(apps).toHaveLength(1);
    expect(apps[0]?.id).not.toBe(oldId);
    expect(h.account.scripts.get("mcpbox-proxy")?.secrets.get("ACCESS_CLIENT_SECRET")).toBe(apps[0]?.clientSecret);
    expect(h.output()).toContain(`deleted the Access application ${oldId} (its client secret was not known)`);
  });

  it("Access apps of other names are not touched", async () => {
    const other = seed.accessApp(h.account, "someone-elses-app");
    await runSetup(h.options, h.deps);
    expect(h.account.apps.has(other)).toBe(true);
    expect(inventory(h.account).apps.sort()).toEqual(["mcpbox-proxy", "someone-elses-app"]);
  });
});
