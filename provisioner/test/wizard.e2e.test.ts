/**
 * The Remote Access wizard in real headless Chromium against the fake Cloudflare API: the six
 * steps end to end, a token missing a permission, a failure at step 4 and Retry, reload and restart
 * mid-wizard, and adopt-or-stop for a tunnel the state does not know. Each screen is screenshot
 * (test-artifacts/wizard/) and checked with axe-core.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { COMPLETE_INVENTORY, fixtureBundle } from "./helpers/harness";
import { inventory, permissionsWithout, seed } from "./helpers/fake-cloudflare";
import { PERMISSIONS } from "../src/cloudflare/permissions";
import { readEnvFile } from "../src/state/env-file";
import { screen, useWizardInChromium, waitForStep } from "./helpers/wizard-browser";
import { openWizard, type WizardHarness } from "./helpers/wizard-harness";

const chromium = useWizardInChromium();
let browser: Browser;
let w: WizardHarness;
beforeEach(() => {
  browser = chromium.browser();
  w = chromium.wizard();
});

/** The permissions a person adds in the token editor today, as the page must name them. */
const TOKEN_PERMISSIONS = [
  "Account › Access: Apps › Edit",
  "Account › Access: Policies › Edit",
  "Account › Access: Organizations › Read",
  "Account › Access: Identity Providers › Read",
  "Account › Cloudflare Tunnel › Edit",
  "Account › Connectivity Directory › Admin",
  "Account › Workers Scripts › Edit",
  "Account › Workers KV Storage › Edit",
];

/** The checklist as the page shows it: each item's state (its class) and text. */
function checklist(page: Page): Promise<Array<[string, string]>> {
  return page.locator(".checklist li").evaluateAll((items) => items.map((li): [string, string] => [li.className, li.textContent ?? ""]));
}

async function verifyToken(page: Page, token: string): Promise<void> {
  await page.fill("#f-api_token", token);
  await page.click("button:has-text('Verify')");
}

/** Opens the wizard and completes the steps before `step` with the defaults. */
async function walkTo(step: number): Promise<Page> {
  const { page } = await openWizard(browser, w.wizard);
  await page.goto(`${w.wizard.url}wizard`);
  await verifyToken(page, w.h.token);
  await waitForStep(page, 2);
  if (step > 2) {
    await page.click("button:has-text('Create the tunnel')");
    await waitForStep(page, 3);
  }
  if (step > 3) {
    await page.fill("#f-gateway_port", String(w.h.options.gatewayPort));
    await page.click("button:has-text('Create the route')");
    await waitForStep(page, 4);
  }
  return page;
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
    expect(await checklist(page)).toEqual([
      ...TOKEN_PERMISSIONS.map((name) => ["check-ok", expect.stringContaining(name)]),
      ["check-ok", expect.stringMatching(/Zero Trust organization.*example\.cloudflareaccess\.com/)],
      ["check-ok", expect.stringMatching(/workers\.dev subdomain.*example\.workers\.dev/)],
    ]);
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
    // Step 5's run brought the Worker of step 4 and the env file up to date with the chosen rule.
    expect(await page.locator(".changes li").allTextContents()).toEqual(
      expect.arrayContaining([
        'Worker (step 4): upload the changed Worker "mcpbox-proxy"',
        `Worker (step 4): write MCPBOX_ALLOWED_EMAILS to ${w.settings.envFile}`,
        "create the Access policy: allow me@example.com",
      ]),
    );
    await screen(page, "07-step6-connect");
    const mcpUrl = await page.locator("#copy-mcp-url").textContent();
    expect(mcpUrl).toMatch(/^https:\/\/mcpbox-proxy\.[a-z0-9-]+\.workers\.dev\/mcp$/);
    // Both ways to start the home side exist in this repository; the page names the env file the CLI
    // would use (.mcpbox/gateway.env next to the state), never a token in it.
    expect(await page.locator("#copy-home-npm-connect").textContent()).toBe("npm run connect");
    expect(await page.locator("#copy-home-docker-compose").textContent()).toBe("docker compose up -d");
    expect(w.settings.envFile).toBe(path.join(path.dirname(w.h.statePath), "gateway.env"));
    expect(w.settings.envFile.endsWith(path.join(".mcpbox", "gateway.env"))).toBe(true);
    const ways = await page.locator("section[aria-labelledby=home-side] .way").allTextContents();
    expect(ways).toEqual([expect.stringContaining("docker compose up -d"), expect.stringContaining("npm run connect")]);
    for (const way of ways) expect(way).toContain(w.settings.envFile);
    expect(inventory(w.h.account)).toEqual(COMPLETE_INVENTORY);
    const env = await readEnvFile(w.settings.envFile);
    const secrets = ["TUNNEL_TOKEN", "MCPBOX_SERVICE_TOKEN"].map((key) => env.get(key) ?? "");
    expect(secrets.every((value) => /^\S{32,}$/.test(value))).toBe(true);
    const html = await page.content();
    for (const value of secrets) expect(html).not.toContain(value);
    // The rule chosen on screen 5 is the gateway's and the Worker's allowlist too.
    expect(env.get("MCPBOX_ALLOWED_EMAILS")).toBe("me@example.com");
    expect(w.h.account.scripts.get("mcpbox-proxy")?.metadata.bindings).toContainEqual({
      type: "plain_text",
      name: "ALLOWED_EMAILS",
      text: "me@example.com",
    });
  });

  it("lists a missing permission by its dashboard name and writes nothing", async () => {
    const token = w.h.fake.addToken({ accounts: [w.h.account], permissions: permissionsWithout("Connectivity Directory") });
    const { page } = await openWizard(browser, w.wizard);
    await page.goto(`${w.wizard.url}wizard`);
    await verifyToken(page, token);
    await page.locator(".error").waitFor();
    await waitForStep(page, 1);
    expect(await page.locator(".checklist .check-missing").allTextContents()).toEqual([expect.stringContaining(PERMISSIONS.connectivity)]);
    expect(await page.locator(".checklist .check-ok").allTextContents()).toEqual(
      TOKEN_PERMISSIONS.filter((name) => name !== "Account › Connectivity Directory › Admin").map((name) => expect.stringContaining(name)),
    );
    expect(await page.locator(".error").textContent()).toContain(PERMISSIONS.connectivity);
    await screen(page, "08-step1-missing-permission");
    expect(w.h.fake.writes()).toEqual([]);
    await expect(readFile(w.h.statePath)).rejects.toThrow(/ENOENT/);
    expect(await page.content()).not.toContain(token);
  });

  it("shows a failure at step 4 with the API's message, and Retry completes without duplicates", async () => {
    const page = await walkTo(4);
    w.h.fake.injectFault({ method: "PUT", path: /\/workers\/scripts\/mcpbox-proxy$/, kind: "status", status: 500, times: 100 });
    await page.click("button:has-text('Deploy the Worker')");
    await page.locator(".error").waitFor();
    await waitForStep(page, 4);
    expect(await page.locator(".error").textContent()).toContain("Internal server error (injected)");
    await screen(page, "09-step4-failed");
    w.h.fake.clearFaults();
    await page.click("button:has-text('Retry')");
    await waitForStep(page, 5);
    expect(inventory(w.h.account)).toMatchObject({
      kv: ["mcpbox-proxy-OAUTH_KV"],
      scripts: ["mcpbox-proxy"],
      tunnels: ["mcpbox-tunnel"],
      services: ["mcpbox-service"],
    });
  });

  it("resumes at the right step after a reload, and after a restart asks for the token again", async () => {
    const page = await walkTo(3);
    await page.reload();
    await waitForStep(page, 3);
    const launch = await w.restart();
    await page.goto(launch.url);
    expect(await page.locator("h1").textContent()).toContain("Open this page through the wizard's link");
    await page.goto(launch.launchUrl);
    expect(await page.locator(".start .button").textContent()).toBe("Continue Setup Wizard (step 3 of 6)");
    await page.click(".start .button");
    await waitForStep(page, 1);
    expect(await page.locator(".notice.info").textContent()).toContain("continue at step 3");
    expect(await page.locator("#f-api_token").inputValue()).toBe("");
    await screen(page, "10-step1-after-restart");
    await verifyToken(page, w.h.token);
    await waitForStep(page, 3);
    expect(inventory(w.h.account).tunnels).toEqual(["mcpbox-tunnel"]);
  });

  it("asks before using a tunnel the state does not know: Stop changes nothing, Use adopts it", async () => {
    const seeded = seed.tunnel(w.h.account, "mcpbox-tunnel");
    const page = await walkTo(2);
    await page.click("button:has-text('Create the tunnel')");
    await page.locator("form.question").waitFor();
    expect(await page.locator(".question-text").textContent()).toContain(`A tunnel named "mcpbox-tunnel" (id ${seeded}) already exists`);
    await screen(page, "11-step2-adopt-question");
    await page.click("button:has-text('Stop here')");
    await page.locator(".error").waitFor();
    await waitForStep(page, 2);
    expect(await page.locator(".error h2").textContent()).toContain("already has a tunnel");
    expect(w.h.fake.writes()).toEqual([]);
    await page.click("button:has-text('Create the tunnel')");
    await page.click("button:has-text('Use the existing tunnel')");
    await waitForStep(page, 3);
    expect(inventory(w.h.account).tunnels).toEqual(["mcpbox-tunnel"]);
    expect(JSON.parse(await readFile(w.h.statePath, "utf8")).tunnel.id).toBe(seeded);
  });

  it("lets the person choose the account when the token can use several", async () => {
    const second = w.h.fake.addAccount("Second Account");
    const token = w.h.fake.addToken({ accounts: [w.h.account, second] });
    const { page } = await openWizard(browser, w.wizard);
    await page.goto(`${w.wizard.url}wizard`);
    await verifyToken(page, token);
    await page.locator("form.question").waitFor();
    expect(await page.locator("form.question label").allTextContents()).toEqual([
      expect.stringContaining("Example"),
      expect.stringContaining("Second Account"),
    ]);
    await screen(page, "12-step1-choose-account");
    await page.check("input[name=choice][value='1']");
    await page.click("button:has-text('Continue with this account')");
    await waitForStep(page, 2);
    expect(JSON.parse(await readFile(w.h.statePath, "utf8")).accountId).toBe(second.id);
  });

  it("streams a running step's progress into the page as it happens", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    w.settings.deps.bundler = async () => {
      await gate;
      return fixtureBundle();
    };
    await w.restart();
    const page = await walkTo(4);
    const appended: string[] = [];
    await page.click("button:has-text('Deploy the Worker')");
    await page.locator(".log-wait", { hasText: "bundling the Worker with wrangler" }).waitFor();
    expect(await page.locator("#run-title").textContent()).toBe("Working on step 4…");
    await screen(page, "05b-step4-running");
    // Lines the page's script appends from the event stream, reported before the page reloads.
    await page.exposeFunction("reportAppended", (text: string) => appended.push(text));
    await page.evaluate(
      `new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => reportAppended(n.textContent)))).observe(document.getElementById("run-log"), { childList: true })`,
    );
    release();
    await waitForStep(page, 5);
    expect(appended).toContainEqual(expect.stringMatching(/^\+ created the KV namespace "mcpbox-proxy-OAUTH_KV"/));
    expect(appended).toContainEqual(expect.stringMatching(/^\+ uploaded the Worker "mcpbox-proxy"/));
  });
});
