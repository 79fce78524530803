/**
 * The Remote Access page once set up, in headless Chromium against the fake Cloudflare API: live
 * status and doctor's findings, re-sync of the secrets, a rotation (the page asks whether the gateway
 * restarted) and its finish, and removal with the typed-name confirmation, which empties the fake
 * account. Values from the API and the state file render as text, never as markup.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { readEnvFile } from "../src/state/env-file";
import { connectTunnel, inventory } from "./helpers/fake-cloudflare";
import { startGatewayStandIn, type GatewayStandIn } from "./helpers/gateway-stand-in";
import { screen, useWizardInChromium } from "./helpers/wizard-browser";
import { openWizard, type WizardHarness } from "./helpers/wizard-harness";

const HOSTILE_ACCOUNT = '<img src=x onerror="window.__pwned=1">Acme';
const HOSTILE_TUNNEL = "<script>window.__pwned=2</script>";

const chromium = useWizardInChromium();
let browser: Browser;
let w: WizardHarness;
let gateway: GatewayStandIn;
beforeEach(async () => {
  browser = chromium.browser();
  w = chromium.wizard();
  gateway = await startGatewayStandIn([]);
  w.h.account.name = HOSTILE_ACCOUNT;
  await runSetup({ ...w.h.options, gatewayPort: gateway.port }, w.h.deps);
  const state = JSON.parse(await readFile(w.h.statePath, "utf8"));
  gateway.tokens = [state.secrets.serviceToken];
  state.tunnel.name = HOSTILE_TUNNEL;
  await writeFile(w.h.statePath, JSON.stringify(state));
});
afterEach(async () => {
  await gateway.close();
});

/** Clicks a button that starts a run and waits for the page to show its outcome. */
async function runAction(page: Page, button: string): Promise<void> {
  await page.click(`button:has-text('${button}')`);
  await page.waitForURL(`${w.wizard.url}`);
  await page.locator(".run .working").waitFor({ state: "detached" });
}

describe("the status view", () => {
  it("shows live status and doctor findings, re-syncs secrets, rotates the service token", async () => {
    const { page } = await openWizard(browser, w.wizard);
    expect(await page.locator("h1").textContent()).toBe("Remote Access");
    expect(await page.locator("dl.facts").textContent()).toContain(HOSTILE_ACCOUNT);
    expect(await page.locator("dl.facts").textContent()).toContain(HOSTILE_TUNNEL);
    expect(await page.locator("dl.facts img, dl.facts script").count()).toBe(0);
    await screen(page, "20-status-no-token");

    await page.fill("#f-api_token", "not-a-valid-token");
    await runAction(page, "Check the setup");
    expect(await page.locator(".error h2").textContent()).toContain("This stopped");
    expect(await page.content()).not.toContain("not-a-valid-token");
    // All three usual problems at once: no connector, a gateway with another token, no login method.
    const providers = w.h.account.identityProviders.splice(0);
    const runningWith = gateway.tokens;
    gateway.tokens = ["a-token-from-an-older-setup-0000000000000000"];
    await page.fill("#f-api_token", w.h.token);
    await runAction(page, "Check the setup");
    await page.locator("table.status").waitFor();
    expect(await page.locator("tbody tr").first().textContent()).toContain("problem");
    const fixOf = (area: string) =>
      page.locator("section.finding-area", { hasText: area }).locator(".finding-problem .fix").first().textContent();
    // doctor's tunnel finding: connectors counted from GET …/connections, with every fix it names.
    const tunnelFinding = page.locator("section.finding-area", { hasText: "Tunnel not connecting" }).locator(".finding-problem").first();
    expect(await tunnelFinding.textContent()).toContain("no cloudflared connected (the tunnel's connections list is empty)");
    const tunnelFix = (await fixOf("Tunnel not connecting")) ?? "";
    for (const part of [
      "Is cloudflared running?",
      "docker compose logs cloudflared",
      "npm run connect",
      `TUNNEL_TOKEN in ${w.settings.envFile}`,
      "running setup again fetches the tunnel's token",
      "2025.7.0",
      "UDP to port 7844",
    ]) {
      expect(tunnelFix).toContain(part);
    }
    expect(await fixOf("403 on MCP requests")).toContain("secrets sync");
    expect(await fixOf("Sign-in redirect loop")).toContain("One-time PIN");
    expect(await page.locator("section.finding-area h3").allTextContents()).toEqual([
      "Tunnel not connecting",
      "403 on MCP requests (service token)",
      "Sign-in redirect loop",
    ]);
    await screen(page, "21-status-checked");
    w.h.account.identityProviders.push(...providers);
    gateway.tokens = runningWith;
    const state = JSON.parse(await readFile(w.h.statePath, "utf8"));
    connectTunnel(w.h.account, state.tunnel.id, "2025.8.0");
    await runAction(page, "Check again");
    expect(await page.locator("tbody tr").first().textContent()).toContain("healthy, 1 connector(s) with 2 connection(s)");
    expect(
      await page.locator("section.finding-area", { hasText: "Tunnel not connecting" }).locator(".finding-ok").allTextContents(),
    ).toEqual([expect.stringContaining("1 connector(s) with 2 connection(s)"), expect.stringContaining("connector version(s): 2025.8.0")]);

    const secrets = w.h.account.scripts.get("mcpbox-proxy")?.secrets;
    secrets?.delete("ACCESS_CLIENT_SECRET");
    await runAction(page, "Re-sync secrets");
    expect(await page.locator(".notice.ok h2").textContent()).toContain("7 secrets set on the Worker");
    expect(secrets?.has("ACCESS_CLIENT_SECRET")).toBe(true);
    await screen(page, "22-status-resynced");

    const oldToken = state.secrets.serviceToken as string;
    await page.click("button:has-text('Start a rotation')");
    await page.locator("form.question").waitFor();
    expect(await page.locator(".question-text").textContent()).toContain("Has the gateway been restarted?");
    await screen(page, "23-status-rotate-question");
    const envTokens = (await readEnvFile(w.h.envFile)).get("MCPBOX_SERVICE_TOKEN")?.split(",") ?? [];
    expect(envTokens).toHaveLength(2);
    expect(envTokens[1]).toBe(oldToken);
    gateway.tokens = envTokens;
    await page.click("button:has-text('Yes, switch the Worker now')");
    await page.locator(".run .working").waitFor({ state: "detached" });
    expect(await page.locator(".notice.ok h2").textContent()).toContain("The Worker now sends the new service token");
    expect(secrets?.get("MCPBOX_SERVICE_TOKEN")).toBe(envTokens[0]);
    await runAction(page, "Finish the rotation");
    expect((await readEnvFile(w.h.envFile)).get("MCPBOX_SERVICE_TOKEN")).toBe(envTokens[0]);
    expect(await page.locator("button:has-text('Start a rotation')").count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("removes everything after the resources are listed and the Worker's name is typed", async () => {
    const { page } = await openWizard(browser, w.wizard);
    await page.fill("#f-api_token", w.h.token);
    await runAction(page, "Check the setup");
    await page.click("button:has-text('Remove everything…')");
    await page.locator("form.question").waitFor();
    expect(await page.locator("form.question ul.items li").allTextContents()).toEqual([
      expect.stringContaining('Access application "mcpbox-proxy"'),
      expect.stringContaining('Worker "mcpbox-proxy"'),
      expect.stringContaining('KV namespace "mcpbox-proxy-OAUTH_KV"'),
      expect.stringContaining('Workers VPC service "mcpbox-service"'),
      expect.stringContaining(`tunnel "${HOSTILE_TUNNEL}"`),
    ]);
    await page.fill("#typed", "mcpbox");
    await page.click("button:has-text('Delete everything')");
    await page.locator("#answer-problem").waitFor();
    expect(await page.locator("#answer-problem").textContent()).toBe("Type mcpbox-proxy exactly to confirm.");
    expect(inventory(w.h.account).scripts).toEqual(["mcpbox-proxy"]);
    await screen(page, "24-status-remove-confirm");
    await page.fill("#typed", "mcpbox-proxy");
    await page.click("button:has-text('Delete everything')");
    await page.locator(".notice.ok", { hasText: "Everything was removed" }).waitFor();
    expect(inventory(w.h.account)).toEqual({ tunnels: [], services: [], kv: [], scripts: [], apps: [], policies: [] });
    await expect(readFile(w.h.statePath)).rejects.toThrow(/ENOENT/);
    await screen(page, "25-removed");
  });
});
