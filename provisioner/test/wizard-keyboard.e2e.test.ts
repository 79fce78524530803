/**
 * The whole wizard with the keyboard only (Tab, Shift-Tab, Enter, Space, and typing into fields),
 * in headless Chromium: every element that takes focus on the way shows a visible focus ring.
 */
import type { Browser } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { COMPLETE_INVENTORY } from "./helpers/harness";
import { inventory } from "./helpers/fake-cloudflare";
import { focused, moveFocusTo as moveTo, screen, useWizardInChromium, waitForStep } from "./helpers/wizard-browser";
import type { WizardHarness } from "./helpers/wizard-harness";

const chromium = useWizardInChromium();
let browser: Browser;
let w: WizardHarness;
beforeEach(() => {
  browser = chromium.browser();
  w = chromium.wizard();
});

describe("keyboard only", () => {
  it("completes all six steps with Tab, Shift-Tab, Enter and Space, focus always visible", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const page = await context.newPage();
    await page.goto(w.wizard.launchUrl);

    await moveTo(page, "Start Setup Wizard");
    await page.keyboard.press("Enter");
    await waitForStep(page, 1);
    expect((await focused(page)).label).toContain("api_token");
    await page.keyboard.type(w.h.token);
    await moveTo(page, "|Verify");
    await page.keyboard.press("Enter");
    await waitForStep(page, 2);

    await moveTo(page, "|What happened", "Shift+Tab");
    await page.keyboard.press("Enter");
    expect(await page.locator("details.log-details").getAttribute("open")).not.toBeNull();
    await moveTo(page, "|Create the tunnel");
    await page.keyboard.press("Space");
    await waitForStep(page, 3);

    await moveTo(page, "|Create the route");
    await page.keyboard.press("Tab");
    await moveTo(page, "|Create the route", "Shift+Tab");
    await screen(page, "30-keyboard-focus");
    await page.keyboard.press("Enter");
    await waitForStep(page, 4);

    await moveTo(page, "|Deploy the Worker");
    await page.keyboard.press("Space");
    await waitForStep(page, 5);

    await moveTo(page, "input|allow_kind");
    await page.keyboard.press("Space");
    expect(await page.locator("input[value=emails]").isChecked()).toBe(true);
    await moveTo(page, "allow_emails");
    await page.keyboard.type("me@example.com");
    await moveTo(page, "|Set up sign-in");
    await page.keyboard.press("Enter");
    await waitForStep(page, 6);

    await moveTo(page, "|Copy MCP URL");
    await page.keyboard.press("Space");
    await page.locator("button", { hasText: "Copied" }).waitFor();
    const copied = await page.evaluate<string>("navigator.clipboard.readText()");
    expect(copied).toBe(await page.locator("#copy-mcp-url").textContent());
    expect(inventory(w.h.account)).toEqual(COMPLETE_INVENTORY);
    await context.close();
  });
});
