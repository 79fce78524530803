/**
 * The provisioner reads Cloudflare's answers as the API documents them, not as one account happens
 * to answer: connectors come from GET …/connections, an --account-id needs no GET /accounts, the
 * Zero Trust organization is read before any Access probe, a refused write names the level it
 * needs, lists end where result_info says, and a not-found code means gone whatever the status.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CloudflareClient } from "../src/cloudflare/client";
import { PERMISSIONS } from "../src/cloudflare/permissions";
import { runSetup } from "../src/commands/setup";
import { runStatus } from "../src/commands/status";
import { runTeardown } from "../src/commands/teardown";
import { AccountChoiceError, AdoptionRequiredError, PermissionsMissingError, PrerequisiteError } from "../src/errors";
import { helpText } from "../src/cli/help";
import { COMPLETE_INVENTORY, useFreshHarness, type Harness } from "./helpers/harness";
import { accessFaults, combinedAccessPermissions, connectTunnel, inventory, permissionsWithout, seed } from "./helpers/fake-cloudflare";

let h: Harness;
useFreshHarness((harness) => (h = harness));
afterEach(() => {
  accessFaults.notFoundStatus = 404;
});

const writes = () =>
  h.fake.writes().map((c) => `${c.method} ${c.path.replace(/^\/accounts\/[0-9a-f]{32}\//, "").replace(/[0-9a-f-]{36}/g, ":id")}`);

describe("1. tunnel connections", () => {
  it("counts connectors from GET …/connections; the tunnel object's deprecated field stays empty", async () => {
    await runSetup(h.options, h.deps);
    const [tunnel] = h.account.tunnels.values();
    connectTunnel(h.account, tunnel?.id ?? "", "2026.8.2");
    const tunnelObject = await fetch(`${h.fake.baseUrl}/accounts/${h.account.id}/cfd_tunnel/${tunnel?.id}`, {
      headers: { authorization: `Bearer ${h.token}` },
    });
    expect(((await tunnelObject.json()) as { result: { connections: unknown[] } }).result.connections).toEqual([]);
    const status = await runStatus(h.options, h.deps);
    expect(status.rows[0]?.detail).toBe("healthy, 1 connector(s) with 2 connection(s)");
  });

  it("teardown always drops the connections before deleting the tunnel, even when none show", async () => {
    await runSetup(h.options, h.deps);
    h.fake.resetCalls();
    await runTeardown(h.options, h.deps);
    const tunnelWrites = writes().filter((w) => w.includes("cfd_tunnel"));
    expect(tunnelWrites).toEqual(["DELETE cfd_tunnel/:id/connections", "DELETE cfd_tunnel/:id"]);
  });
});

describe("2. --account-id without GET /accounts", () => {
  for (const accountsList of ["empty", "forbidden"] as const) {
    it(`completes the setup when GET /accounts is ${accountsList} (user token)`, async () => {
      const token = h.fake.addToken({ accounts: [h.account], accountsList });
      const result = await runSetup({ ...h.options, apiToken: token, accountId: h.account.id }, h.deps);
      expect(result.accountId).toBe(h.account.id);
      expect(inventory(h.account)).toEqual(COMPLETE_INVENTORY);
      expect(h.fake.calls.some((c) => c.path === "/accounts")).toBe(false);
    });
  }

  it("confirms an account-owned token with the account verify endpoint", async () => {
    const token = h.fake.addToken({ accounts: [h.account], kind: "account", accountsList: "forbidden" });
    await runSetup({ ...h.options, apiToken: token, accountId: h.account.id }, h.deps);
    expect(h.fake.calls.slice(0, 2).map((c) => `${c.path} ${c.status}`)).toEqual([
      "/user/tokens/verify 401",
      `/accounts/${h.account.id}/tokens/verify 200`,
    ]);
  });

  it("refuses, before any write, an account the token cannot use", async () => {
    const other = h.fake.addAccount("Other");
    const token = h.fake.addToken({ accounts: [h.account], kind: "account" });
    const error = await runSetup({ ...h.options, apiToken: token, accountId: other.id }, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountChoiceError);
    expect((error as AccountChoiceError).message).toBe(`The API token cannot use account ${other.id}.`);
    const userToken = h.fake.addToken({ accounts: [h.account], accountsList: "empty" });
    await expect(runSetup({ ...h.options, apiToken: userToken, accountId: other.id }, h.deps)).rejects.toBeInstanceOf(AccountChoiceError);
    expect(h.fake.writes()).toEqual([]);
  });
});

describe("3. permission names", () => {
  it("works with the older combined Access groups too", async () => {
    const token = h.fake.addToken({ accounts: [h.account], permissions: combinedAccessPermissions() });
    await runSetup({ ...h.options, apiToken: token }, h.deps);
    expect(inventory(h.account)).toEqual(COMPLETE_INVENTORY);
  });

  it("probes the organization and the identity providers separately, and names each", async () => {
    const token = h.fake.addToken({ accounts: [h.account], permissions: permissionsWithout("Access: Organizations", "Access: Policies") });
    const error = (await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e)) as PermissionsMissingError;
    expect(error).toBeInstanceOf(PermissionsMissingError);
    expect(error.missing).toEqual([PERMISSIONS.accessPolicies, PERMISSIONS.accessOrganizations]);
    expect(error.hint).toContain("Access: Apps and Policies › Edit");
    expect(error.hint).toContain("Access: Organizations, Identity Providers, and Groups › Read");
    expect(h.fake.writes()).toEqual([]);
  });

  it("lists the names a token editor shows today, and the combined alternative, in --help", () => {
    const text = helpText();
    for (const name of Object.values(PERMISSIONS)) expect(text).toContain(name);
    expect(text).toContain("Account › Access: Apps and Policies › Edit");
  });
});

describe("4. Zero Trust before the Access probes", () => {
  it("says to set up Zero Trust, without an Access probe hitting the missing organization", async () => {
    const bare = h.fake.addAccount("NoZeroTrust", { authDomain: null });
    const token = h.fake.addToken({ accounts: [bare] });
    const error = await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PrerequisiteError).problems).toEqual(["This account has no Zero Trust organization yet."]);
    expect(h.fake.calls.filter((c) => /\/access\/(apps|policies|identity_providers)/.test(c.path))).toEqual([]);
    expect(h.fake.writes()).toEqual([]);
  });
});

describe("5. a refused write names the level the read probes could not see", () => {
  it("Workers Scripts at Read", async () => {
    const perms = permissionsWithout();
    perms.set("Workers Scripts", "read");
    const token = h.fake.addToken({ accounts: [h.account], permissions: perms });
    const error = (await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e)) as { hint?: string };
    expect(error.hint).toContain(`lacks the permission "${PERMISSIONS.workersScripts}"`);
    expect(error.hint).toContain("could not tell that the token has Read");
  });

  it("Connectivity Directory at Bind", async () => {
    const perms = permissionsWithout();
    perms.set("Connectivity Directory", "bind");
    const token = h.fake.addToken({ accounts: [h.account], permissions: perms });
    const error = (await runSetup({ ...h.options, apiToken: token }, h.deps).catch((e: unknown) => e)) as { hint?: string };
    expect(error.hint).toContain(`lacks the permission "${PERMISSIONS.connectivity}"`);
    expect(error.hint).toContain("Read or Bind");
    expect(inventory(h.account).services).toEqual([]);
  });
});

describe("7. pagination follows result_info", () => {
  const titles = (n: number) => Array.from({ length: n }, (_, i) => `other-${String(i).padStart(3, "0")}`);
  const client = () => new CloudflareClient({ apiToken: h.token, baseUrl: h.fake.baseUrl, sleep: async () => {} });

  it("reads every page when the endpoint caps per_page below ours (total_pages)", async () => {
    for (const t of titles(45)) seed.kv(h.account, t);
    h.fake.capPerPage(/storage\/kv\/namespaces$/, 20);
    expect((await client().storage.listKvNamespaces(h.account.id)).length).toBe(45);
  });

  it("uses total_count when total_pages is absent", async () => {
    for (const t of titles(45)) seed.kv(h.account, t);
    h.fake.capPerPage(/storage\/kv\/namespaces$/, 20);
    h.fake.omitResultInfo("total_pages");
    expect((await client().storage.listKvNamespaces(h.account.id)).length).toBe(45);
  });

  it("finds a same-named resource on a later page, so setup never creates a duplicate", async () => {
    for (const t of titles(45)) seed.kv(h.account, t);
    seed.kv(h.account, "mcpbox-proxy-OAUTH_KV");
    h.fake.capPerPage(/storage\/kv\/namespaces$/, 20);
    await expect(runSetup(h.options, h.deps)).rejects.toBeInstanceOf(AdoptionRequiredError);
    expect(inventory(h.account).kv.filter((t) => t === "mcpbox-proxy-OAUTH_KV")).toHaveLength(1);
  });
});

describe("8. not-found codes mean gone, whatever the status", () => {
  it("an Access app deleted outside setup is created again, and teardown calls a gone app gone", async () => {
    accessFaults.notFoundStatus = 400;
    await runSetup(h.options, h.deps);
    const [app] = h.account.apps.values();
    h.account.apps.delete(app?.id ?? "");
    await runSetup(h.options, h.deps);
    expect(inventory(h.account)).toEqual(COMPLETE_INVENTORY);
    expect(h.output()).toContain("recorded in the state no longer exists; a new one will be created");
    const [again] = h.account.apps.values();
    h.account.apps.delete(again?.id ?? "");
    const result = await runTeardown(h.options, h.deps);
    expect(result.ok).toBe(true);
    expect(h.output()).toMatch(/the Access application "mcpbox-proxy" \([0-9a-f-]{36}\) was already gone/);
  });
});
