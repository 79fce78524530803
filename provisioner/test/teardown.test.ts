/**
 * `teardown` against the fake: a complete setup goes to zero resources and the state file is
 * removed; a partial setup is torn down too; what cannot be deleted stays in the state and is
 * reported, and a re-run finishes the job; unknown same-named resources are left alone.
 */
import { access, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { runTeardown } from "../src/commands/teardown";
import { UsageError } from "../src/errors";
import { scriptedPrompter, useFreshHarness, type Harness } from "./helpers/harness";
import { connectTunnel, inventory, seed } from "./helpers/fake-cloudflare";

const EMPTY = { tunnels: [], services: [], kv: [], scripts: [], apps: [], policies: [] };

let h: Harness;
useFreshHarness((harness) => (h = harness));

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe("teardown", () => {
  it("deletes everything in order and removes the state file", async () => {
    await runSetup(h.options, h.deps);
    const [tunnel] = h.account.tunnels.values();
    connectTunnel(h.account, tunnel?.id ?? "", "2025.9.1");
    h.fake.resetCalls();
    const result = await runTeardown(h.options, h.deps);
    expect(result.ok).toBe(true);
    expect(inventory(h.account)).toEqual(EMPTY);
    expect(result.deleted.map((d) => d.kind)).toEqual(["accessApp", "worker", "kvNamespace", "vpcService", "tunnel"]);
    // Access app, Worker, KV, VPC service, tunnel connections, tunnel — each by id.
    expect(
      h.fake
        .writes()
        .map((c) => `${c.method} ${c.path.split("/").slice(3, 4).join("/")}${c.path.endsWith("/connections") ? "/connections" : ""}`),
    ).toEqual([
      "DELETE access",
      "DELETE workers",
      "DELETE storage",
      "DELETE connectivity",
      "DELETE cfd_tunnel/connections",
      "DELETE cfd_tunnel",
    ]);
    expect(result.stateRemoved).toBe(true);
    expect(await exists(h.statePath)).toBe(false);
  });

  it("tears down a partial setup", async () => {
    h.fake.injectFault({ kind: "status", status: 500, path: /storage\/kv\/namespaces$/, method: "POST", times: 50 });
    await expect(runSetup(h.options, h.deps)).rejects.toMatchObject({ status: 500 });
    h.fake.clearFaults();
    expect(inventory(h.account).tunnels).toEqual(["mcpbox-tunnel"]);
    const result = await runTeardown(h.options, h.deps);
    expect(result.ok).toBe(true);
    expect(result.deleted.map((d) => d.kind)).toEqual(["vpcService", "tunnel"]);
    expect(inventory(h.account)).toEqual(EMPTY);
    expect(await exists(h.statePath)).toBe(false);
  });

  it("keeps what it could not delete in the state, says so, and finishes on a re-run", async () => {
    await runSetup(h.options, h.deps);
    h.fake.injectFault({ kind: "status", status: 500, method: "DELETE", path: /workers\/scripts\/mcpbox-proxy$/, times: 50 });
    const first = await runTeardown(h.options, h.deps);
    expect(first.ok).toBe(false);
    expect(first.kept.map((k) => k.kind)).toEqual(["worker"]);
    expect(first.kept[0]?.reason).toMatch(/Could not delete the Worker/);
    expect(inventory(h.account).scripts).toEqual(["mcpbox-proxy"]);
    const state = JSON.parse(await readFile(h.statePath, "utf8"));
    expect(state.worker.name).toBe("mcpbox-proxy");
    expect(state.tunnel).toBeUndefined();
    expect(h.output()).toContain('kept Worker "mcpbox-proxy"');

    h.fake.clearFaults();
    const second = await runTeardown(h.options, h.deps);
    expect(second.ok).toBe(true);
    expect(second.deleted.map((d) => d.kind)).toEqual(["worker"]);
    expect(inventory(h.account)).toEqual(EMPTY);
    expect(await exists(h.statePath)).toBe(false);
  });

  it("finds a resource by name when an interrupted run created it without recording its id", async () => {
    h.fake.injectFault({ kind: "drop-after", method: "POST", path: /cfd_tunnel$/ });
    await expect(runSetup(h.options, h.deps)).rejects.toThrow();
    expect(inventory(h.account).tunnels).toEqual(["mcpbox-tunnel"]);
    await runTeardown(h.options, h.deps);
    expect(inventory(h.account)).toEqual(EMPTY);
  });

  it("leaves same-named resources the state does not know alone unless --adopt", async () => {
    await runSetup(h.options, h.deps);
    await runTeardown(h.options, h.deps);
    seed.tunnel(h.account, "mcpbox-tunnel");
    const careful = await runTeardown({ ...h.options, accountId: h.account.id }, h.deps);
    expect(careful.skipped.map((s) => s.kind)).toEqual(["tunnel"]);
    expect(inventory(h.account).tunnels).toEqual(["mcpbox-tunnel"]);
    await runTeardown({ ...h.options, accountId: h.account.id, adopt: true }, h.deps);
    expect(inventory(h.account).tunnels).toEqual([]);
  });

  it("asks for --yes when it cannot ask, and deletes nothing", async () => {
    await runSetup(h.options, h.deps);
    h.fake.resetCalls();
    const error = await runTeardown({ ...h.options, yes: false }, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toContain("--yes");
    expect(h.fake.writes()).toEqual([]);
  });

  it("asks on a terminal, and deletes nothing when told no", async () => {
    await runSetup(h.options, h.deps);
    const no = scriptedPrompter({ confirm: false });
    await expect(runTeardown({ ...h.options, yes: false }, { ...h.deps, prompter: no })).rejects.toThrow(/cancelled; nothing was deleted/);
    expect(no.asked[0]).toMatch(/This deletes: Access application "mcpbox-proxy" \([0-9a-f-]{36}\), Worker "mcpbox-proxy"/);
    expect(inventory(h.account).scripts).toEqual(["mcpbox-proxy"]);
    await runTeardown({ ...h.options, yes: false }, { ...h.deps, prompter: scriptedPrompter({ confirm: true }) });
    expect(inventory(h.account)).toEqual(EMPTY);
  });

  it("says there is nothing to do without a state", async () => {
    const result = await runTeardown(h.options, h.deps);
    expect(result.ok).toBe(true);
    expect(h.fake.calls).toEqual([]);
    expect(h.output()).toContain("nothing to tear down");
  });
});
