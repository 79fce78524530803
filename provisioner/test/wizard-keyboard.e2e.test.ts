/**
 * The whole wizard with the keyboard only (Tab, Shift-Tab, Enter, Space, and typing into fields),
 * in headless Chromium: every element that takes focus on the way shows a visible focus ring.
 */
import type { Browser, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { COMPLETE_INVENTORY } from "./helpers/harness";
import { inventory } from "./helpers/fake-cloudflare";
import { screen, useWizardInChromium, waitForStep } from "./helpers/wizard-browser";
import type { WizardHarness } from "./helpers/wizard-harness";

const chromium = useWizardInChromium();
let browser: Browser;
let w: WizardHarness;
beforeEach(() => {
  browser = chromium.browser();
  w = chromium.wizard();
});

interface Focused {
  label: string;
  outline: string;
}

/** Runs in the page: the focused element and whether it shows an outline (a string, so Node's types do not apply). */
const FOCUSED_SCRIPT = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { label: "body", outline: "none" };
  const style = getComputedStyle(el);
  const text = (el.getAttribute("name") ?? "") + "|" + (el.textContent ?? "").trim();
  const visible = style.outlineStyle !== "none" && style.outlineWidth !== "0px";
  return { label: el.tagName.toLowerCase() + "|" + text, outline: visible ? style.outlineStyle + " " + style.outlineWidth : "none" };
})()`;

function focused(page: Page): Promise<Focused> {
  return page.evaluate<Focused>(FOCUSED_SCRIPT);
}

/** Presses `key` (Tab or Shift+Tab) until the focused element's label contains `want`; each stop must show focus. */
async function moveTo(page: Page, want: string, key: "Tab" | "Shift+Tab" = "Tab"): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press(key);
    const now = await focused(page);
    expect(now.outline, `focus ring on ${now.label}`).not.toBe("none");
    if (now.label.includes(want)) return;
  }
  throw new Error(`never reached ${want} with ${key}`);
}

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
