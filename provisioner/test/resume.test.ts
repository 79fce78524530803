/**
 * Interruptions: a setup that fails at any write (an API error that outlasts the retries, a
 * connection dropped after the API acted, or Ctrl-C between steps) continues on the next run and
 * ends in the same state as an uninterrupted setup, with no duplicate resources.
 */
import { readFile } from "node:fs/promises";
import { WORKER_SECRET_NAMES } from "@mcpbox/shared";
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { InterruptedError } from "../src/errors";
import { createReporter } from "../src/run/reporter";
import { readEnvFile } from "../src/state/env-file";
import { COMPLETE_INVENTORY, createHarness, type Harness } from "./helpers/harness";
import { inventory } from "./helpers/fake-cloudflare";

/** The writes of an uninterrupted fresh setup, in order. */
async function baselineWrites(): Promise<string[]> {
  const h = await createHarness();
  try {
    await runSetup(h.options, h.deps);
    return h.fake.writes().map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{32,36}/g, ":id")}`);
  } finally {
    await h.close();
  }
}

/** The end state every resumed run must reach: one of each, wired, secrets consistent. */
async function expectCompleteSetup(h: Harness): Promise<void> {
  expect(inventory(h.account)).toEqual(COMPLETE_INVENTORY);
  const state = JSON.parse(await readFile(h.statePath, "utf8"));
  expect(state.pending).toBeUndefined();
  const [tunnel] = h.account.tunnels.values();
  const [service] = h.account.services.values();
  const [kv] = h.account.kv.values();
  const [app] = h.account.apps.values();
  const script = h.account.scripts.get("mcpbox-proxy");
  expect(state.tunnel.id).toBe(tunnel?.id);
  expect(state.vpcService.id).toBe(service?.id);
  expect(state.kvNamespace.id).toBe(kv?.id);
  expect(state.access.appId).toBe(app?.id);
  expect(state.access.policyId).toBe([...(app?.policies.keys() ?? [])][0]);
  expect(service?.host).toMatchObject({ resolver_network: { tunnel_id: tunnel?.id } });
  expect(script?.workersDev).toBe(true);
  expect([...(script?.secrets.keys() ?? [])].sort()).toEqual([...WORKER_SECRET_NAMES].sort());
  expect(script?.secrets.get("ACCESS_CLIENT_SECRET")).toBe(app?.clientSecret);
  expect(script?.secrets.get("ACCESS_CLIENT_ID")).toBe(app?.saas?.client_id);
  const env = await readEnvFile(h.envFile);
  expect(env.get("MCPBOX_SERVICE_TOKEN")).toBe(script?.secrets.get("MCPBOX_SERVICE_TOKEN"));
  expect(env.get("TUNNEL_TOKEN")).toBeTruthy();
  expect(h.fake.internalErrors).toEqual([]);
}

describe("interrupted setup resumes", async () => {
  const writes = await baselineWrites();

  it("a fresh setup makes the expected eight writes", () => {
    expect(writes).toEqual([
      "POST /accounts/:id/cfd_tunnel",
      "POST /accounts/:id/connectivity/directory/services",
      "POST /accounts/:id/storage/kv/namespaces",
      "PUT /accounts/:id/workers/scripts/mcpbox-proxy",
      "POST /accounts/:id/workers/scripts/mcpbox-proxy/subdomain",
      "POST /accounts/:id/access/apps",
      "POST /accounts/:id/access/apps/:id/policies",
      "PATCH /accounts/:id/workers/scripts/mcpbox-proxy/secrets-bulk",
    ]);
  });

  it.each(writes.map((w, i) => [i + 1, w] as const))("after an API failure at write %i (%s)", async (k) => {
    const h = await createHarness();
    try {
      h.fake.injectFault({ kind: "status", status: 503, atWrite: k, times: 50 });
      await expect(runSetup(h.options, h.deps)).rejects.toMatchObject({ status: 503 });
      h.fake.clearFaults();
      const resumed = await runSetup(h.options, h.deps);
      expect(resumed.changed).toBe(true);
      await expectCompleteSetup(h);
      // Every create went through exactly once across both runs.
      const creates = h.fake.calls.filter((c) => c.method === "POST" && c.status === 200 && !c.path.endsWith("/subdomain"));
      expect(creates.map((c) => c.path.replace(/[0-9a-f-]{32,36}/g, ":id"))).toHaveLength(
        new Set(creates.map((c) => c.path.replace(/[0-9a-f-]{32,36}/g, ":id"))).size,
      );
    } finally {
      await h.close();
    }
  });

  it.each(writes.map((w, i) => [i + 1, w] as const))("after the connection dropped once write %i (%s) had taken effect", async (k) => {
    const h = await createHarness();
    try {
      h.fake.injectFault({ kind: "drop-after", atWrite: k });
      const first = await runSetup(h.options, h.deps).then(
        () => "completed",
        (e: unknown) => e,
      );
      if (first !== "completed") {
        // Only creates (not repeatable) stop the run; the rest are retried at once.
        expect(writes[k - 1]).toMatch(/^POST/);
        await runSetup(h.options, h.deps);
      }
      await expectCompleteSetup(h);
    } finally {
      await h.close();
    }
  });

  it.each([1, 2, 3, 4, 5])("after Ctrl-C during step %i", async (n) => {
    const h = await createHarness();
    try {
      const controller = new AbortController();
      const print = createReporter({ write: () => {} }, false);
      const reporter = {
        ...print,
        step: (i: number, total: number, title: string) => {
          if (i === n) controller.abort();
          print.step(i, total, title);
        },
      };
      const interrupted = await runSetup(h.options, { ...h.deps, reporter, signal: controller.signal }).catch((e: unknown) => e);
      expect(interrupted).toBeInstanceOf(InterruptedError);
      expect((interrupted as InterruptedError).hint).toContain(h.statePath);
      await runSetup(h.options, h.deps);
      await expectCompleteSetup(h);
    } finally {
      await h.close();
    }
  });
});
