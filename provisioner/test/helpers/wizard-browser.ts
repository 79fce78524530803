/**
 * Chromium helpers for the wizard's end-to-end tests: axe-core injected into each screen (zero
 * serious or critical violations), a screenshot of each screen under test-artifacts/wizard/, waits
 * for the screens the wizard moves to by itself when a run ends, and keyboard focus moves that
 * check the focus ring at every stop.
 */
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { launchChromium } from "@mcpbox/dev/test-kit/chromium";
import { startWizardHarness, type WizardHarness } from "./wizard-harness";

const ARTIFACTS = path.resolve(import.meta.dirname, "../../../test-artifacts/wizard");
const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** Runs axe-core on the page; fails on any serious or critical violation. */
async function expectAccessible(page: Page): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not apply.
  await page.evaluate(await AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target) }));
  });
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
}

/**
 * Saves a full-page screenshot (or of `part` alone, for a long page) as
 * test-artifacts/wizard/<name>.png and checks the whole page's accessibility.
 */
export async function screen(page: Page, name: string, part?: Locator): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await (part ? part.screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
  await expectAccessible(page);
}

/** Waits until the wizard shows step `n` (it reloads itself when a run ends). */
export async function waitForStep(page: Page, n: number): Promise<void> {
  await page.locator("#step-title", { hasText: `Step ${n} of 6` }).waitFor();
  await page.locator(".run").waitFor({ state: "detached" });
}

/**
 * One Chromium for the calling file and a fresh wizard (over a fresh fake account) for each test;
 * after each test the fake API must have hit no internal error.
 */
export function useWizardInChromium(): { browser: () => Browser; wizard: () => WizardHarness } {
  let browser: Browser | undefined;
  let wizard: WizardHarness | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    wizard = await startWizardHarness();
  });
  afterEach(async () => {
    const current = wizard;
    wizard = undefined;
    if (!current) return;
    try {
      expect(current.h.fake.internalErrors).toEqual([]);
    } finally {
      await current.close();
    }
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready`);
    return value;
  };
  return { browser: () => need(browser, "Chromium"), wizard: () => need(wizard, "the wizard") };
}

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

export function focused(page: Page): Promise<Focused> {
  return page.evaluate<Focused>(FOCUSED_SCRIPT);
}

/** Presses `key` (Tab or Shift+Tab) until the focused element's label contains `want`; each stop must show focus. */
export async function moveFocusTo(page: Page, want: string, key: "Tab" | "Shift+Tab" = "Tab"): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press(key);
    const now = await focused(page);
    expect(now.outline, `focus ring on ${now.label}`).not.toBe("none");
    if (now.label.includes(want)) return;
  }
  throw new Error(`never reached ${want} with ${key}`);
}
