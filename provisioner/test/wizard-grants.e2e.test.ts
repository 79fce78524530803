/**
 * "Who is signed in" on the Remote Access page, in headless Chromium against the fake Cloudflare
 * API, with grants seeded in the fake KV the way the OAuth library writes them: the list loads on
 * demand; revoking a person, a client or a grant asks first and then removes exactly those grants
 * and their access tokens from KV; revoking everyone needs the typed confirmation; a hostile client
 * name is shown as text; all of it with the keyboard alone.
 */
import type { Browser, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { displaySafe } from "../src/grants/present";
import { kvData, type FakeKvData } from "./helpers/fake-cloudflare/routes-kv-keys";
import { seedClient, seedGrant, type SeededGrant } from "./helpers/oauth-kv-seed";
import { focused, moveFocusTo, screen, useWizardInChromium } from "./helpers/wizard-browser";
import { openWizard, type WizardHarness } from "./helpers/wizard-harness";

/** Markup, a bidi override and a terminal escape in a client's self-chosen name. */
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=3">Evil\u202eredli\u001b[2J';

const chromium = useWizardInChromium();
let browser: Browser;
let w: WizardHarness;
let data: FakeKvData;
let claude: string;
let hostile: string;
let alice: SeededGrant;
let aliceHostile: SeededGrant;
let bob: SeededGrant;
let anonymous: SeededGrant;

beforeEach(async () => {
  browser = chromium.browser();
  w = chromium.wizard();
  await runSetup(w.h.options, w.h.deps);
  data = kvData(w.h.account, [...w.h.account.kv.keys()][0] ?? "");
  claude = seedClient(data, "Claude");
  hostile = seedClient(data, HOSTILE_NAME);
  alice = seedGrant(data, { clientId: claude, email: "alice@example.com", accessTokens: 2 });
  aliceHostile = seedGrant(data, { clientId: hostile, email: "alice@example.com", userId: alice.userId });
  bob = seedGrant(data, { clientId: claude, email: "bob@example.com" });
  anonymous = seedGrant(data, { clientId: hostile });
});

const keys = () => new Set(data.entries.keys());
const keysOf = (...grants: SeededGrant[]) => grants.flatMap((g) => [g.grantKey, ...g.tokenKeys]);
const panel = (page: Page) => page.locator("section.grants");
const person = (page: Page, label: string) => panel(page).locator("section.person", { has: page.locator("h3", { hasText: label }) });

/** Signs the page in with the API token (the status view then runs its check). */
async function withToken(page: Page): Promise<void> {
  await page.fill("#f-api_token", w.h.token);
  await page.click("button:has-text('Check the setup')");
  await page.locator(".run .working").waitFor({ state: "detached" });
}

/** Waits until the grants panel's run has ended (the page reloads itself at #grants) and shows `until`. */
async function panelSettled(page: Page, until: string): Promise<void> {
  await page.waitForLoadState("domcontentloaded");
  await panel(page).locator(".run .working").waitFor({ state: "detached" });
  await panel(page).locator(until).first().waitFor();
}

const LOADED = "p.help:has-text('Loaded at')";
const OUTCOME = ".notice, .error";

async function load(page: Page): Promise<void> {
  await panel(page).locator("button", { hasText: /^Load / }).click();
  await page.waitForURL(/#grants$/);
  await panelSettled(page, LOADED);
}

/** Clicks a revoke button, checks the question lists `expected` and KV is untouched, then says yes. */
async function revoke(page: Page, button: ReturnType<Page["locator"]>, expected: SeededGrant[]): Promise<void> {
  const before = keys();
  await button.click();
  await panel(page).locator("form.question").waitFor();
  const items = await panel(page).locator("form.question ul.items li").allTextContents();
  expect(items.map((i) => /grant (\S+)$/.exec(i)?.[1]).sort()).toEqual(expected.map((g) => g.grantId).sort());
  expect(keys()).toEqual(before);
  await panel(page).locator("form.question button", { hasText: /^Revoke/ }).click();
  await panelSettled(page, OUTCOME);
}

describe("who is signed in", () => {
  it("lists the grants on demand, shows a hostile client name as text, and revokes by person, client and grant", async () => {
    const { page } = await openWizard(browser, w.wizard);
    expect(await panel(page).count()).toBe(0);
    await withToken(page);
    expect(await panel(page).locator("h2").textContent()).toBe("Who is signed in");
    expect(await panel(page).textContent()).toContain("Not loaded yet in this session.");
    w.h.fake.resetCalls();
    await load(page);
    // Reading only: KV list and bulk get (a POST) through the API.
    expect(w.h.fake.calls.length).toBeGreaterThan(0);
    expect(w.h.fake.calls.filter((c) => c.method !== "GET" && !c.path.endsWith("/bulk/get"))).toEqual([]);

    const headings = await panel(page).locator("section.person h3").allTextContents();
    expect([...headings].sort()).toEqual(["(no email) user " + anonymous.userId, "alice@example.com", "bob@example.com"].sort());
    expect(await panel(page).locator(".grants-loaded p").textContent()).toContain("4 grant(s) of 3 person(s)");
    const aliceRows = person(page, "alice@example.com").locator("tbody tr");
    expect(await aliceRows.count()).toBe(2);
    const claudeRow = aliceRows.filter({ hasText: alice.grantId });
    expect(await claudeRow.locator("td").allTextContents()).toEqual([
      `Claude${claude}`,
      alice.grantId,
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
      expect.stringContaining("Revoke"),
    ]);
    // The hostile name: stripped of its control and bidi characters, shown as text, never markup.
    const shown = displaySafe(HOSTILE_NAME, 80);
    expect(shown).toBe('<img src=x onerror="window.__pwned=3">Evilredli[2J');
    expect(await aliceRows.filter({ hasText: aliceHostile.grantId }).locator(".client-name").textContent()).toBe(shown);
    expect(await panel(page).locator("img").count()).toBe(0);
    const text = (await panel(page).textContent()) ?? "";
    expect(text).not.toContain("\u202e");
    expect(text).not.toContain("\u001b");
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await screen(page, "40-grants-list", panel(page));

    await revoke(page, person(page, "alice@example.com").locator("button", { hasText: "Revoke this person's grants" }), [alice, aliceHostile]);
    const outcome = panel(page).locator(".notice.ok");
    expect(await outcome.locator("h3").textContent()).toBe("✓ Revoked 2 grant(s) (alice@example.com: 2). Their MCP clients now get 401 and must sign in again.");
    expect(await outcome.textContent()).toContain("Cloudflare KV can take up to a minute to drop cached copies at every location.");
    expect((await outcome.locator("ul.items li").allTextContents()).sort()).toEqual(
      [`alice@example.com · client "Claude" (${claude}) · grant ${alice.grantId}`, `alice@example.com · client "${shown}" (${hostile}) · grant ${aliceHostile.grantId}`].sort(),
    );
    // Exactly Alice's grants and access tokens left KV; everyone else's and the clients stayed.
    const after = keys();
    for (const key of keysOf(alice, aliceHostile)) expect(after.has(key), key).toBe(false);
    for (const key of [...keysOf(bob, anonymous), `client:${claude}`, `client:${hostile}`]) expect(after.has(key), key).toBe(true);
    expect(await person(page, "alice@example.com").count()).toBe(0);
    expect(await panel(page).locator(".grants-loaded p").textContent()).toContain("2 grant(s) revoked since are left out.");
    await screen(page, "42-grants-revoked", panel(page));

    // By client: the hostile one, whose remaining grant is the anonymous person's.
    await revoke(page, panel(page).locator("tr", { hasText: hostile }).locator("button", { hasText: "Revoke this client" }), [anonymous]);
    expect(await panel(page).locator(".notice.ok h3").textContent()).toContain(`Revoked 1 grant(s) (user ${anonymous.userId}: 1)`);
    for (const key of keysOf(anonymous)) expect(keys().has(key), key).toBe(false);

    // By grant: Bob's.
    await revoke(page, person(page, "bob@example.com").locator("tbody tr").first().locator("button"), [bob]);
    expect([...keys()].filter((k) => k.startsWith("grant:") || k.startsWith("token:"))).toEqual([]);
    expect(await panel(page).locator(".grants-loaded p").textContent()).toContain("nobody is signed in");
  });

  it("revokes everyone only after the typed confirmation, with the keyboard alone", async () => {
    const { page } = await openWizard(browser, w.wizard);
    await withToken(page);
    await moveFocusTo(page, "|Load who is signed in");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#grants$/);
    await panelSettled(page, LOADED);
    expect(await panel(page).locator("section.person").count()).toBe(3);

    const before = keys();
    await moveFocusTo(page, "|Revoke all…");
    await page.keyboard.press("Enter");
    await panel(page).locator("form.question").waitFor();
    expect(await panel(page).locator(".question-text").textContent()).toContain("This signs everyone out: all 4 grant(s) below end");
    expect(await panel(page).locator("form.question ul.items li").count()).toBe(4);
    expect(await panel(page).locator("label[for=grants]").textContent()).toBe("Type revoke all to confirm:");
    // The address names #grants, which the typed field carries, so the browser focuses it; a wrong
    // phrase and Enter is refused, KV untouched.
    await panel(page).locator("input[name=typed]:focus").waitFor();
    await page.keyboard.type("revoke");
    await page.keyboard.press("Enter");
    await panel(page).locator("#answer-problem").waitFor();
    expect(await panel(page).locator("#answer-problem").textContent()).toBe("Type revoke all exactly to confirm.");
    expect(keys()).toEqual(before);
    await screen(page, "41-grants-revoke-all-confirm", panel(page));

    await panel(page).locator("input[name=typed]:focus").waitFor();
    await page.keyboard.press("Control+A");
    await page.keyboard.type("revoke all");
    await moveFocusTo(page, "|Revoke all");
    expect((await focused(page)).label).toBe("button|answer|Revoke all");
    await page.keyboard.press("Enter");
    await panelSettled(page, OUTCOME);
    expect(await panel(page).locator(".notice.ok h3").textContent()).toContain("✓ Revoked 4 grant(s)");
    expect([...keys()].sort()).toEqual([`client:${claude}`, `client:${hostile}`].sort());
  });

  it("says nothing was revoked when the question is cancelled", async () => {
    const { page } = await openWizard(browser, w.wizard);
    await withToken(page);
    await load(page);
    const before = keys();
    await person(page, "bob@example.com").locator("button", { hasText: "Revoke this person's grants" }).click();
    await panel(page).locator("form.question").waitFor();
    await panel(page).locator("form.question button", { hasText: "Cancel" }).click();
    await panelSettled(page, OUTCOME);
    expect(await panel(page).locator(".error h2").textContent()).toBe("This stopped: Nothing was revoked.");
    expect(keys()).toEqual(before);
    expect(await person(page, "bob@example.com").count()).toBe(1);
  });
});
