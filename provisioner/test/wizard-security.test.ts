/**
 * The wizard is an admin surface, bound to this machine (local-only admin). Each rule is attacked
 * over raw HTTP: no launch link, a used or wrong launch secret, a rebinding Host, a cross-site
 * Origin or Fetch Metadata, a missing or foreign CSRF token (on a step form, and on a grant
 * revoke). Also: the headers on every answer, and the API token never reaching the HTML, the event
 * stream, the cookie or the files.
 */
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../src/commands/setup";
import { CONTENT_SECURITY_POLICY } from "../src/web/security/headers";
import { kvData } from "./helpers/fake-cloudflare/routes-kv-keys";
import { seedClient, seedGrant } from "./helpers/oauth-kv-seed";
import { rawRequest, startWizardHarness, type RawResponse, type WizardHarness } from "./helpers/wizard-harness";

let w: WizardHarness;
beforeEach(async () => {
  w = await startWizardHarness();
});
afterEach(async () => {
  expect(w.h.fake.internalErrors).toEqual([]);
  await w.close();
});

const port = () => w.wizard.port;
const launchPath = () => new URL(w.wizard.launchUrl).pathname + new URL(w.wizard.launchUrl).search;

/** Redeems the launch link; returns the session cookie and the CSRF token of a page (the wizard's by default). */
async function signIn(from = "/wizard"): Promise<{ cookie: string; csrf: string }> {
  const launched = await rawRequest(port(), { path: launchPath() });
  const cookie = String(launched.headers["set-cookie"]).split(";")[0] ?? "";
  const page = await rawRequest(port(), { path: from, headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
  return { cookie, csrf };
}

function post(path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(port(), {
    method: "POST",
    path,
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: `http://127.0.0.1:${port()}`, "sec-fetch-site": "same-origin", ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

describe("the launch link", () => {
  it("is needed for every page; it sets an HttpOnly SameSite=Strict cookie once and redirects to the clean URL", async () => {
    const bare = await rawRequest(port(), { path: "/" });
    expect(bare.status).toBe(401);
    expect(bare.body).toContain("npm run wizard");
    expect((await rawRequest(port(), { path: "/wizard" })).status).toBe(401);
    expect((await rawRequest(port(), { path: "/?launch=wrong" })).status).toBe(403);

    const launched = await rawRequest(port(), { path: launchPath() });
    expect(launched.status).toBe(303);
    expect(launched.headers.location).toBe("/");
    const setCookie = String(launched.headers["set-cookie"]);
    expect(setCookie).toMatch(/^mcpbox_wizard=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(";")[0] ?? "";
    expect((await rawRequest(port(), { path: "/", headers: { cookie } })).status).toBe(200);

    const again = await rawRequest(port(), { path: launchPath() });
    expect(again.status).toBe(403);
    expect(again.body).toContain("already used");
    expect((await rawRequest(port(), { path: "/", headers: { cookie: "mcpbox_wizard=forged" } })).status).toBe(401);
    const sneaky = await rawRequest(port(), { path: "//attacker.example/?launch=x", headers: { cookie } });
    expect(sneaky.status).toBe(303);
    expect(sneaky.headers.location).toBe("/");
  });

  it("listens on 127.0.0.1 only", () => {
    expect(new URL(w.wizard.url).hostname).toBe("127.0.0.1");
  });
});

describe("request guards", () => {
  it("refuses a Host other than 127.0.0.1 or localhost on its port (DNS rebinding), even with a session", async () => {
    const { cookie } = await signIn();
    for (const host of ["attacker.example", `attacker.example:${port()}`, `127.0.0.1:${port() + 1}`, "127.0.0.1", `0.0.0.0:${port()}`]) {
      const res = await rawRequest(port(), { path: "/", headers: { host, cookie } });
      expect(res.status, host).toBe(403);
      expect(res.body).not.toContain("Remote Access");
    }
    expect((await rawRequest(port(), { path: "/", headers: { host: `localhost:${port()}`, cookie } })).status).toBe(200);
  });

  it("refuses cross-origin and cross-site state changes, and any without this session's CSRF token", async () => {
    const { cookie, csrf } = await signIn();
    const other = await rawRequest(port(), { path: "/", headers: { cookie } });
    expect(other.status).toBe(200);
    const form = { csrf, tunnel_name: "x" };
    const attempts: Array<[string, Record<string, string>, Record<string, string>]> = [
      ["cross-origin Origin", form, { origin: "https://attacker.example" }],
      ["same-site other port", form, { origin: `http://127.0.0.1:${port() + 1}`, "sec-fetch-site": "same-site" }],
      ["Sec-Fetch-Site cross-site", form, { "sec-fetch-site": "cross-site" }],
      ["null Origin without fetch metadata", form, { origin: "null", "sec-fetch-site": "" }],
      ["no CSRF token", { tunnel_name: "x" }, {}],
      ["wrong CSRF token", { csrf: `${csrf.slice(0, -2)}AA`, tunnel_name: "x" }, {}],
    ];
    for (const [what, body, headers] of attempts) {
      const cleaned = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ""));
      const res = await rawRequest(port(), {
        method: "POST",
        path: "/wizard/token",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...(headers["sec-fetch-site"] === "" ? {} : { "sec-fetch-site": "same-origin" }), origin: `http://127.0.0.1:${port()}`, ...cleaned },
        body: new URLSearchParams({ ...body, api_token: w.h.token }).toString(),
      });
      expect(res.status, what).toBe(403);
    }
    expect(w.h.fake.calls).toEqual([]);
    // The same request from the page itself is accepted.
    expect((await post("/wizard/token", cookie, { csrf, api_token: w.h.token })).status).toBe(303);
  });

  it("refuses a grant revoke that is cross-site or lacks this session's CSRF token; KV is not touched", async () => {
    await runSetup(w.h.options, w.h.deps);
    const data = kvData(w.h.account, [...w.h.account.kv.keys()][0] ?? "");
    const alice = seedGrant(data, { clientId: seedClient(data, "Claude"), email: "alice@example.com" });
    const { cookie, csrf } = await signIn("/");
    expect(csrf).not.toBe("");
    // The session holds the API token, so a revoke that got through would reach KV.
    expect((await post("/status/token", cookie, { csrf, api_token: w.h.token })).status).toBe(303);
    expect((await rawRequest(port(), { path: "/events?run=1&from=0", headers: { cookie } })).body).toContain("event: finished");
    const before = [...data.entries.keys()].sort();
    w.h.fake.resetCalls();
    const forms: Array<Record<string, string>> = [{ by: "all" }, { by: "user", value: "alice@example.com" }, { by: "grant", value: alice.grantId }];
    for (const form of forms) {
      const attempts: Array<[string, Record<string, string>, Record<string, string>]> = [
        ["no CSRF token", form, {}],
        ["another session's CSRF token", { ...form, csrf: `${csrf.slice(0, -2)}AA` }, {}],
        ["cross-origin Origin", { ...form, csrf }, { origin: "https://attacker.example" }],
        ["Sec-Fetch-Site cross-site", { ...form, csrf }, { "sec-fetch-site": "cross-site" }],
      ];
      for (const [what, body, headers] of attempts) {
        const res = await post("/grants/revoke", cookie, body, headers);
        expect(res.status, `${form.by}: ${what}`).toBe(403);
        expect(res.body).toContain("Refused");
      }
      // A link or an image cannot revoke: there is no GET route.
      const query = new URLSearchParams({ ...form, csrf }).toString();
      expect((await rawRequest(port(), { path: `/grants/revoke?${query}`, headers: { cookie } })).status).toBe(404);
    }
    // Forms the page never makes are refused by the library's rules, before anything runs.
    expect((await post("/grants/revoke", cookie, { csrf, by: "everyone" })).status).toBe(400);
    const bad = await post("/grants/revoke", cookie, { csrf, by: "user", value: "not an email@" });
    expect(bad.status).toBe(400);
    expect(bad.body).toBe("Refused: the user to revoke is not a valid email address. Reload the page and use its revoke buttons.");
    expect(w.h.fake.calls).toEqual([]);
    expect([...data.entries.keys()].sort()).toEqual(before);
    // The page's own form starts the revoke, which asks before it deletes anything.
    const own = await post("/grants/revoke", cookie, { csrf, by: "user", value: "alice@example.com" });
    expect(own.status).toBe(303);
    expect(own.headers.location).toBe("/#grants");
  });

  it("puts the security headers on every answer, refusals included", async () => {
    const { cookie } = await signIn();
    for (const res of [await rawRequest(port(), { path: "/", headers: { cookie } }), await rawRequest(port(), { path: "/" }), await rawRequest(port(), { path: "/", headers: { host: "evil.example" } }), await rawRequest(port(), { path: "/assets/wizard.js" })]) {
      expect(res.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["cache-control"]).toBe("no-store");
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|https?:/);
  });
});

describe("the API token", () => {
  it("stays in memory: never in the HTML, the event stream, the cookie, the state or the env file", async () => {
    const { cookie, csrf } = await signIn();
    const posted = await post("/wizard/token", cookie, { csrf, api_token: w.h.token });
    expect(posted.status).toBe(303);
    const stream = await rawRequest(port(), { path: "/events?run=1&from=0", headers: { cookie } });
    expect(stream.headers["content-type"]).toContain("text/event-stream");
    expect(stream.body).toContain("event: finished");
    expect(stream.body).toContain("the token has every permission");
    const tunnel = await post("/wizard/tunnel", cookie, { csrf, tunnel_name: "mcpbox-tunnel" });
    expect(tunnel.status).toBe(303);
    const stream2 = await rawRequest(port(), { path: "/events?run=2&from=0", headers: { cookie } });
    const pages = await Promise.all(["/", "/wizard"].map((path) => rawRequest(port(), { path, headers: { cookie } })));
    const seen = [posted, stream, stream2, ...pages].map((r) => `${JSON.stringify(r.headers)}\n${r.body}`).join("\n");
    expect(seen).toContain("Step 3 of 6");
    expect(seen).not.toContain(w.h.token);
    expect(cookie).not.toContain(w.h.token);
    expect(await readFile(w.h.statePath, "utf8")).not.toContain(w.h.token);
    expect(await readFile(w.h.envFile, "utf8")).not.toContain(w.h.token);
  });
});
