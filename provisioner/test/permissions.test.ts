/**
 * Step 1 against the fake: every missing token permission is reported by name before any write;
 * account-owned tokens verify through the account endpoint; several accounts need a choice; a
 * missing Zero Trust organization or workers.dev subdomain stops the run with instructions.
 */
import { describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { PERMISSIONS } from "../src/cloudflare/permissions";
import { AccountChoiceError, PermissionsMissingError, PrerequisiteError, StateError } from "../src/errors";
import { scriptedPrompter, useFreshHarness, type Harness } from "./helpers/harness";
import { inventory, permissionsWithout } from "./helpers/fake-cloudflare";

let h: Harness;
useFreshHarness((harness) => (h = harness));

describe("token permissions", () => {
  it("lists every missing permission by name and writes nothing", async () => {
    const token = h.fake.addToken({
      accounts: [h.account],
      permissions: permissionsWithout("Cloudflare Tunnel", "Workers KV Storage", "Access: Identity Providers"),
    });
    const error = await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionsMissingError);
    expect((error as PermissionsMissingError).missing).toEqual([
      PERMISSIONS.accessIdentityProviders,
      PERMISSIONS.tunnel,
      PERMISSIONS.workersKv,
    ]);
    expect((error as PermissionsMissingError).message).toContain("3 permissions");
    expect(h.fake.writes()).toEqual([]);
    expect(inventory(h.account).tunnels).toEqual([]);
  });

  it("treats read-only access as missing the Edit permission", async () => {
    const perms = permissionsWithout();
    perms.set("Workers Scripts", "read");
    const token = h.fake.addToken({ accounts: [h.account], permissions: perms });
    // Read probes pass; the first write that needs Edit fails with a hint naming the permission.
    const error = (await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e)) as { hint?: string };
    expect(error.hint).toContain(PERMISSIONS.workersScripts);
  });

  it("reports a disabled token", async () => {
    const token = h.fake.addToken({ accounts: [h.account], status: "disabled" });
    await expect(runSetup({ ...h.options, apiToken: token }, h.deps)).rejects.toThrow(/token is disabled/);
    expect(h.fake.writes()).toEqual([]);
  });
});

describe("account-owned tokens", () => {
  it("verifies through the account endpoint and completes the setup", async () => {
    const token = h.fake.addToken({ accounts: [h.account], kind: "account" });
    const result = await runSetup({ ...h.options, apiToken: token }, h.deps);
    expect(result.accountId).toBe(h.account.id);
    const paths = h.fake.calls.slice(0, 3).map((c) => `${c.path} ${c.status}`);
    expect(paths).toEqual(["/user/tokens/verify 401", "/accounts 200", `/accounts/${h.account.id}/tokens/verify 200`]);
    expect(h.output()).toContain("account-owned API token is active");
  });
});

describe("several accounts", () => {
  it("under --yes, asks for --account-id and lists the accounts", async () => {
    const second = h.fake.addAccount("Second");
    const token = h.fake.addToken({ accounts: [h.account, second] });
    const error = await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountChoiceError);
    expect((error as AccountChoiceError).message).toContain(second.id);
    expect((error as AccountChoiceError).hint).toContain("--account-id");
    expect(h.fake.writes()).toEqual([]);
  });

  it("uses --account-id", async () => {
    const second = h.fake.addAccount("Second");
    const token = h.fake.addToken({ accounts: [h.account, second] });
    await runSetup({ ...h.options, apiToken: token, accountId: second.id }, h.deps);
    expect(inventory(second).tunnels).toEqual(["mcpbox-tunnel"]);
    expect(inventory(h.account).tunnels).toEqual([]);
  });

  it("asks on a terminal", async () => {
    const second = h.fake.addAccount("Second");
    const token = h.fake.addToken({ accounts: [h.account, second] });
    const prompter = scriptedPrompter({ choose: 1 });
    await runSetup({ ...h.options, apiToken: token, yes: false }, { ...h.deps, prompter });
    expect(prompter.asked[0]).toMatch(/several accounts/);
    expect(inventory(second).scripts).toEqual(["mcpbox-proxy"]);
  });

  it("refuses an --account-id that differs from the state's account", async () => {
    const second = h.fake.addAccount("Second");
    const token = h.fake.addToken({ accounts: [h.account, second] });
    await runSetup({ ...h.options, apiToken: token, accountId: h.account.id }, h.deps);
    h.fake.resetCalls();
    await expect(runSetup({ ...h.options, apiToken: token, accountId: second.id }, h.deps)).rejects.toBeInstanceOf(StateError);
    expect(h.fake.writes()).toEqual([]);
  });
});

describe("prerequisites", () => {
  it("stops before any write when Zero Trust and workers.dev are not set up, naming both", async () => {
    const bare = h.fake.addAccount("Bare", { workersSubdomain: null, authDomain: null });
    const token = h.fake.addToken({ accounts: [bare] });
    const error = await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PrerequisiteError).problems).toEqual([
      "This account has no Zero Trust organization yet.",
      "This account has no workers.dev subdomain yet.",
    ]);
    expect((error as PrerequisiteError).hint).toMatch(/one\.dash\.cloudflare\.com/);
    expect(h.fake.writes()).toEqual([]);
  });
});
