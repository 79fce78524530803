/**
 * The local files: the state file is validated when read, written atomically with mode 0600, and
 * locked against two runs at once; the env file keeps every line the provisioner does not own.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { LockedError, StateError } from "../src/errors";
import { readEnvFile, updateEnvFile } from "../src/state/env-file";
import { acquireLock, loadState, saveState } from "../src/state/files";
import { emptyState } from "../src/state/state";
import { createHarness } from "./helpers/harness";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-state-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("state file", () => {
  it("is written with mode 0600 in a 0700 folder, and read back", async () => {
    const file = path.join(dir, "nested", "state.json");
    const state = emptyState();
    state.tunnel = { id: "5a3d2f0e-0000-4000-8000-000000000000", name: "mcpbox-tunnel" };
    await saveState(file, state);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await loadState(file)).state.tunnel).toEqual(state.tunnel);
  });

  it("tightens a state file that was readable by others", async () => {
    const file = path.join(dir, "state.json");
    await writeFile(file, "{}", { mode: 0o644 });
    await saveState(file, emptyState());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["another version", JSON.stringify({ ...emptyState(), version: 9 }), /unsupported version 9/],
    ["a tunnel without id", JSON.stringify({ ...emptyState(), tunnel: { name: "x" } }), /tunnel\.id/],
    ["an unknown pending kind", JSON.stringify({ ...emptyState(), pending: { kind: "dns", name: "x" } }), /pending\.kind/],
  ])("refuses %s, naming the file", async (_what, text, message) => {
    const file = path.join(dir, "state.json");
    await writeFile(file, text);
    const error = await loadState(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).message).toMatch(message);
    expect((error as StateError).message).toContain(file);
  });

  it("is locked while a run uses it; a stale lock is taken over", async () => {
    const file = path.join(dir, "state.json");
    const release = await acquireLock(file);
    await writeFile(`${file}.lock`, "1"); // pid 1 is alive: another run
    await expect(acquireLock(file)).rejects.toBeInstanceOf(LockedError);
    await writeFile(`${file}.lock`, "2147483646"); // no such process
    const again = await acquireLock(file);
    await again();
    await release();
  });

  it("belongs to one setup: other resource names need another --state", async () => {
    const h = await createHarness();
    try {
      await runSetup(h.options, h.deps);
      await expect(runSetup({ ...h.options, workerName: "other-proxy" }, h.deps)).rejects.toThrow(
        /belongs to a setup whose worker-name is "mcpbox-proxy"/,
      );
    } finally {
      await h.close();
    }
  });
});

describe("env file", () => {
  it("changes only the provisioner's keys, keeps comments and other lines, mode 0600", async () => {
    const file = path.join(dir, ".env");
    await writeFile(
      file,
      "# gateway\nMCP_UPSTREAM_URL=http://localhost:3001/mcp\nMCPBOX_SERVICE_TOKEN=old\nexport OTHER='x y'\nMCPBOX_SERVICE_TOKEN=older\n",
    );
    expect(await updateEnvFile(file, { MCPBOX_SERVICE_TOKEN: "new", TUNNEL_TOKEN: "tt" })).toBe(true);
    expect(await readFile(file, "utf8")).toBe(
      "# gateway\nMCP_UPSTREAM_URL=http://localhost:3001/mcp\nMCPBOX_SERVICE_TOKEN=new\nexport OTHER='x y'\nTUNNEL_TOKEN=tt\n",
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const values = await readEnvFile(file);
    expect(values.get("OTHER")).toBe("x y");
    expect(await updateEnvFile(file, { MCPBOX_SERVICE_TOKEN: "new" })).toBe(false);
  });
});
