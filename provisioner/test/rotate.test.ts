/**
 * Secret sync and service-token rotation: `secrets sync` pushes all seven secrets in one
 * operation (one PUT per secret only where secrets-bulk does not exist); rotation writes
 * `new,previous` to the env file so the gateway accepts both, switches the Worker to the new token,
 * and `--finish` ends the overlap.
 */
import { readFile } from "node:fs/promises";
import { WORKER_SECRET_NAMES } from "@mcpbox/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runRotateServiceToken } from "../src/commands/rotate";
import { runSecretsSync } from "../src/commands/secrets-sync";
import { runSetup } from "../src/commands/setup";
import { NotSetUpError } from "../src/errors";
import { readEnvFile, updateEnvFile } from "../src/state/env-file";
import { startGatewayStandIn, type GatewayStandIn } from "./helpers/gateway-stand-in";
import { createHarness, scriptedPrompter, type Harness } from "./helpers/harness";

let h: Harness;
let gateway: GatewayStandIn | undefined;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  expect(h.fake.internalErrors).toEqual([]);
  await gateway?.close();
  gateway = undefined;
  await h.close();
});

const workerSecret = (name: string) => h.account.scripts.get("mcpbox-proxy")?.secrets.get(name);

describe("secrets sync", () => {
  it("pushes all seven secrets in one operation, restoring one deleted outside setup", async () => {
    await runSetup(h.options, h.deps);
    const secrets = h.account.scripts.get("mcpbox-proxy")?.secrets;
    const original = secrets?.get("ACCESS_CLIENT_SECRET");
    secrets?.delete("ACCESS_CLIENT_SECRET");
    h.fake.resetCalls();
    const result = await runSecretsSync(h.options, h.deps);
    expect(result.mode).toBe("bulk");
    expect(result.secrets).toEqual([...WORKER_SECRET_NAMES]);
    expect(h.fake.writes().map((c) => `${c.method} ${c.path.split("/").pop()}`)).toEqual(["PATCH secrets-bulk"]);
    expect(workerSecret("ACCESS_CLIENT_SECRET")).toBe(original);
  });

  it("falls back to one PUT per secret where secrets-bulk does not exist", async () => {
    h.fake.disableEndpoint("secrets-bulk");
    await runSetup(h.options, h.deps);
    const puts = h.fake.writes().filter((c) => c.path.endsWith("/secrets"));
    expect(puts).toHaveLength(WORKER_SECRET_NAMES.length);
    expect([...(h.account.scripts.get("mcpbox-proxy")?.secrets.keys() ?? [])].sort()).toEqual([...WORKER_SECRET_NAMES].sort());
    expect(h.output()).toContain("one by one (the bulk endpoint is not available)");
  });

  it("needs a setup first", async () => {
    await expect(runSecretsSync(h.options, h.deps)).rejects.toBeInstanceOf(NotSetUpError);
    expect(h.fake.calls).toEqual([]);
  });

  it("repairs an env file that drifted", async () => {
    await runSetup(h.options, h.deps);
    await updateEnvFile(h.envFile, { MCPBOX_SERVICE_TOKEN: "f".repeat(64), OTHER: "kept" });
    const result = await runSecretsSync(h.options, h.deps);
    expect(result.envFileUpdated).toBe(true);
    const env = await readEnvFile(h.envFile);
    expect(env.get("MCPBOX_SERVICE_TOKEN")).toBe(workerSecret("MCPBOX_SERVICE_TOKEN"));
    expect(env.get("OTHER")).toBe("kept");
  });
});

describe("rotate-service-token", () => {
  it("overlaps: env file gets new,previous, the Worker gets the new one, --finish ends the overlap", async () => {
    await runSetup(h.options, h.deps);
    const old = workerSecret("MCPBOX_SERVICE_TOKEN") ?? "";
    gateway = await startGatewayStandIn([old]);
    const options = { ...h.options, gatewayHost: "127.0.0.1", gatewayPort: gateway.port };
    h.fake.resetCalls();

    const started = await runRotateServiceToken(options, h.deps);
    const fresh = workerSecret("MCPBOX_SERVICE_TOKEN") ?? "";
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(old);
    expect((await readEnvFile(h.envFile)).get("MCPBOX_SERVICE_TOKEN")).toBe(`${fresh},${old}`);
    expect(started).toMatchObject({ phase: "started", overlap: true, workerUpdated: true, gateway: "rejects-new-token" });
    expect(h.output()).toContain("restart it");
    // One operation for the Worker: the secrets, nothing else.
    expect(h.fake.writes().map((c) => c.path.split("/").pop())).toEqual(["secrets-bulk"]);
    const state = JSON.parse(await readFile(h.statePath, "utf8"));
    expect(state.secrets).toMatchObject({ serviceToken: fresh, previousServiceToken: old });

    // The gateway restarts with the env file's value: both tokens work during the overlap.
    gateway.tokens = [fresh, old];
    await expect(runRotateServiceToken(options, h.deps)).rejects.toThrow(/already in progress/);

    const finished = await runRotateServiceToken({ ...options, finish: true }, h.deps);
    expect(finished).toMatchObject({ phase: "finished", overlap: false, gateway: "accepts-new-token" });
    expect((await readEnvFile(h.envFile)).get("MCPBOX_SERVICE_TOKEN")).toBe(fresh);
    expect(JSON.parse(await readFile(h.statePath, "utf8")).secrets.previousServiceToken).toBeUndefined();
    expect(workerSecret("MCPBOX_SERVICE_TOKEN")).toBe(fresh);
  });

  it("a setup re-run during the overlap keeps both tokens in the env file and changes nothing", async () => {
    await runSetup(h.options, h.deps);
    const old = workerSecret("MCPBOX_SERVICE_TOKEN");
    await runRotateServiceToken(h.options, h.deps);
    h.fake.resetCalls();
    const again = await runSetup(h.options, h.deps);
    expect(again.changed).toBe(false);
    expect(h.fake.writes()).toEqual([]);
    expect((await readEnvFile(h.envFile)).get("MCPBOX_SERVICE_TOKEN")).toBe(`${workerSecret("MCPBOX_SERVICE_TOKEN")},${old}`);
  });

  it("on a terminal, waits for the gateway restart before switching the Worker (and can stop there)", async () => {
    await runSetup(h.options, h.deps);
    const old = workerSecret("MCPBOX_SERVICE_TOKEN") ?? "";
    gateway = await startGatewayStandIn([old]);
    const prompter = scriptedPrompter({ confirm: false });
    const result = await runRotateServiceToken(
      { ...h.options, yes: false, gatewayHost: "127.0.0.1", gatewayPort: gateway.port },
      { ...h.deps, prompter },
    );
    expect(result.workerUpdated).toBe(false);
    expect(workerSecret("MCPBOX_SERVICE_TOKEN")).toBe(old);
    expect(h.output()).toContain("run `secrets sync`");
    // Later: the person restarted the gateway and syncs.
    await runSecretsSync(h.options, h.deps);
    expect(workerSecret("MCPBOX_SERVICE_TOKEN")).not.toBe(old);
  });
});
