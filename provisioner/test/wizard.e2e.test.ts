/**
 * The Remote Access wizard in real headless Chromium against the fake Cloudflare API: the six
 * steps end to end, a token missing a permission, a failure at step 4 and Retry, reload and restart
 * mid-wizard, and adopt-or-stop for a tunnel the state does not know. Each screen is screenshot
 * (test-artifacts/wizard/) and checked with axe-core.
 */
import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMPLETE_INVENTORY } from "./helpers/harness";
import { inventory } from "./helpers/fake-cloudflare";
import { launchChromium, screen, waitForStep } from "./helpers/wizard-browser";
import { openWizard, startWizardHarness, type WizardHarness } from "./helpers/wizard-harness";

let browser: Browser;
let w: WizardHarness;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  w = await startWizardHarness();
});
afterEach(async () => {
  expect(w.h.fake.internalErrors).toEqual([]);
  await w.close();
});

async function verifyToken(page: Page, token: string): Promise<void> {
  await page.fill("#f-api_token", token);
  await page.click("button:has-text('Verify')");
}

describe("the setup wizard", () => {
  it("walks all six steps to the Connect screen and leaves exactly one of each resource", async () => {
    const { page } = await openWizard(browser, w.wizard);
    expect(new URL(page.url()).search).toBe("");
    expect(await page.locator("h1").textContent()).toBe("Remote Access");
    await screen(page, "01-remote-access-intro");
    await page.click("text=Start Setup Wizard");
    await waitForStep(page, 1);
    await screen(page, "02-step1-token");
    await verifyToken(page, w.h.token);
    await waitForStep(page, 2);
    expect(await page.locator(".checklist .check-ok").count()).toBe(8);
    await screen(page, "03-step2-tunnel");
    await page.click("button:has-text('Create the tunnel')");
    await waitForStep(page, 3);
    await screen(page, "04-step3-vpc");
    await page.fill("#f-gateway_port", String(w.h.options.gatewayPort));
    await page.click("button:has-text('Create the route')");
    await waitForStep(page, 4);
    await screen(page, "05-step4-worker");
    await page.click("button:has-text('Deploy the Worker')");
    await waitForStep(page, 5);
    await screen(page, "06-step5-access");
    await page.check("input[value=emails]");
    await page.fill("#f-allow_emails", "me@example.com");
    await page.click("button:has-text('Set up sign-in')");
    await waitForStep(page, 6);
    await screen(page, "07-step6-connect");
    const mcpUrl = await page.locator("#copy-mcp-url").textContent();
    expect(mcpUrl).toMatch(/^https:\/\/mcpbox-proxy\.[a-z0-9-]+\.workers\.dev\/mcp$/);
    expect(await page.locator("#copy-home-npm-connect").textContent()).toBe("npm run connect");
    expect(await page.locator("#copy-home-docker-compose").textContent()).toBe("docker compose up -d");
    expect(inventory(w.h.account)).toEqual(COMPLETE_INVENTORY);
    const env = await readFile(w.h.envFile, "utf8");
    expect(env).toMatch(/TUNNEL_TOKEN=\S+/);
    expect(await page.content()).not.toContain(/TUNNEL_TOKEN=(\S+)/.exec(env)?.[1]);
  });
});
