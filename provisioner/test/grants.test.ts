/**
 * `grants list` and `grants revoke` through the CLI against the fake Cloudflare API's KV, seeded
 * with grants in the OAuth library's layout: who has which grant, revoking by person, client,
 * grant or all (only those keys go), partial failures reported for a re-run, a refresh that
 * writes back during the revoke, hostile client names made terminal-safe, and the errors that
 * say what to do. dev/test/grants.e2e.test.ts runs the same against real grants.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { runSetup } from "../src/commands/setup";
import { runGrantsRevoke } from "../src/grants/commands";
import { kvData, type FakeKvData } from "./helpers/fake-cloudflare/routes-kv-keys";
import { createHarness, scriptedPrompter, type Harness } from "./helpers/harness";
import { seedClient, seedGrant, type SeededGrant } from "./helpers/oauth-kv-seed";

let h: Harness;
let data: FakeKvData;
let out: string[];
let err: string[];
let claude: string;
let cursor: string;
let alice: SeededGrant;
let aliceCursor: SeededGrant;
let bob: SeededGrant;

beforeEach(async () => {
  h = await createHarness();
  await runSetup(h.options, h.deps);
  const namespaceId = [...h.account.kv.keys()][0] ?? "";
  data = kvData(h.account, namespaceId);
  claude = seedClient(data, "Claude");
  cursor = seedClient(data, "Cursor");
  alice = seedGrant(data, { clientId: claude, email: "alice@example.com", accessTokens: 2 });
  aliceCursor = seedGrant(data, { clientId: cursor, email: "alice@example.com", userId: alice.userId });
  bob = seedGrant(data, { clientId: claude, email: "bob@example.com" });
  out = [];
  err = [];
  h.fake.resetCalls();
});
afterEach(async () => {
  expect(h.fake.internalErrors).toEqual([]);
  await h.close();
});

const run = (argv: string[], env: Record<string, string | undefined> = {}) =>
  main({
    argv: argv.some((a) => a.startsWith("--state")) ? argv : [...argv, `--state=${h.statePath}`],
    env: { CLOUDFLARE_API_TOKEN: h.token, CLOUDFLARE_API_BASE_URL: h.fake.baseUrl, ...env },
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
const json = () => JSON.parse(out.join("")) as Record<string, unknown> & { grants: Array<Record<string, unknown>> };
const keys = () => new Set(data.entries.keys());
const keysOf = (grant: SeededGrant) => [grant.grantKey, ...grant.tokenKeys];

describe("grants list", () => {
  it("shows each person's grants with client name, refresh expiry and live access tokens", async () => {
    expect(await run(["grants", "list"])).toBe(0);
    const text = out.join("");
    expect(text).toContain("3 OAuth grant(s), 2 person(s)");
    // One heading per person, then each of their grants.
    expect(text).toMatch(/\nalice@example\.com\n {2}grant /);
    expect(text).toMatch(new RegExp(`  grant ${alice.grantId} · client "Claude" \\(${claude}\\)\\n    signed in .* · refresh until .* · 2 access token\\(s\\) until`));
    expect(text).toContain(`grant ${aliceCursor.grantId} · client "Cursor" (${cursor})`);
    expect(text.indexOf(aliceCursor.grantId)).toBeLessThan(text.indexOf("bob@example.com"));
    expect(text).toMatch(/bob@example\.com\n {2}grant/);
    // Ids may start with "-" (the library's alphabet has it): the hint shows the `--flag=value` form.
    expect(text).toContain("Revoke with: grants revoke --user=EMAIL | --client=ID | --grant=ID | --all");
    expect(h.fake.calls.every((c) => c.method === "GET" || c.path.endsWith("/bulk/get"))).toBe(true);
  });

  it("--json lists the grants; --user matches the email case-insensitively", async () => {
    expect(await run(["grants", "list", "--user", "ALICE@example.com", "--json"])).toBe(0);
    const doc = json();
    expect(doc).toMatchObject({ command: "grants list", ok: true, source: { kind: "cloudflare" } });
    expect(doc.grants.map((g) => g.grantId).sort()).toEqual([alice.grantId, aliceCursor.grantId].sort());
    expect(doc.grants[0]).toMatchObject({ email: "alice@example.com", userId: alice.userId, status: "active", hasRefreshToken: true });
    expect(doc.grants.find((g) => g.grantId === alice.grantId)).toMatchObject({ accessTokens: 2, clientName: "Claude" });
  });

  it("filters by client and by grant id, and finds grants without an email by user id", async () => {
    const anonymous = seedGrant(data, { clientId: cursor, withoutKeyMetadata: true });
    expect(await run(["grants", "list", `--client=${cursor}`, "--json"])).toBe(0);
    expect(json().grants.map((g) => g.grantId).sort()).toEqual([aliceCursor.grantId, anonymous.grantId].sort());
    out.length = 0;
    expect(await run(["grants", "list", `--grant=${bob.grantId}`, "--json"])).toBe(0);
    expect(json().grants.map((g) => g.email)).toEqual(["bob@example.com"]);
    out.length = 0;
    expect(await run(["grants", "list", "--user", anonymous.userId])).toBe(0);
    expect(out.join("")).toContain(`(no email) user ${anonymous.userId}\n  grant ${anonymous.grantId}`);
  });

  it("shows a grant whose code was not exchanged yet as such", async () => {
    const pending = seedGrant(data, { clientId: claude, email: "carol@example.com", pending: true });
    expect(await run(["grants", "list", "--user", "carol@example.com"])).toBe(0);
    expect(out.join("")).toMatch(new RegExp(`grant ${pending.grantId} .*\\n    signed in .* · code not yet exchanged · no live access token`));
  });

  it("prints client names and emails terminal-safe: no escape sequences, no bidi overrides", async () => {
    const hostile = seedClient(data, "Evil\u001b[2J\u001b]8;;https://x.example\u0007Claude\u202eredli\u0085");
    seedGrant(data, { clientId: hostile, email: "dave@example.com" });
    expect(await run(["grants", "list", "--user", "dave@example.com"])).toBe(0);
    const text = out.join("");
    expect(text).toContain(`client "Evil[2J]8;;https://x.exampleClauderedli" (${hostile})`);
    const unsafe = [...text].filter((c) => c !== "\n" && ((c.codePointAt(0) ?? 0) < 0x20 || /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(c)));
    expect(unsafe).toEqual([]);
  });

  it("says so when nothing matches", async () => {
    expect(await run(["grants", "list", "--user", "nobody@example.com"])).toBe(0);
    expect(out.join("")).toMatch(/No OAuth grants of nobody@example\.com in OAUTH_KV \(KV namespace [0-9a-f]{32}\)\./);
  });
});

describe("grants revoke", () => {
  it("--user deletes that person's grants and access tokens, and nothing else", async () => {
    const before = keys();
    expect(await run(["grants", "revoke", "--user", "alice@example.com"])).toBe(0);
    expect(out.join("")).toContain("✓ Revoked 2 grant(s) (alice@example.com: 2). Their MCP clients now get 401 and must sign in again.");
    const after = keys();
    for (const key of [...keysOf(alice), ...keysOf(aliceCursor)]) expect(after.has(key)).toBe(false);
    expect([...before].filter((k) => !after.has(k)).sort()).toEqual([...keysOf(alice), ...keysOf(aliceCursor)].sort());
    for (const key of keysOf(bob)) expect(after.has(key)).toBe(true);
    expect(after.has(`client:${claude}`)).toBe(true);
  });

  it("takes ids that start with a dash in the --flag=value form", async () => {
    const grant = "-AbCdEfGhIjKlMnO";
    seedGrant(data, { clientId: claude, email: "erin@example.com", grantId: grant });
    expect(await run(["grants", "revoke", `--grant=${grant}`, "--json"])).toBe(0);
    expect(json()).toMatchObject({ revoked: [{ grantId: grant, email: "erin@example.com" }] });
  });

  it("--client and --grant revoke exactly those grants", async () => {
    expect(await run(["grants", "revoke", `--client=${cursor}`, "--json"])).toBe(0);
    expect(json()).toMatchObject({ command: "grants revoke", ok: true, revoked: [{ grantId: aliceCursor.grantId }], failed: [], lateKeysDeleted: 0 });
    out.length = 0;
    expect(await run(["grants", "revoke", `--grant=${bob.grantId}`, "--json"])).toBe(0);
    expect(json()).toMatchObject({ revoked: [{ grantId: bob.grantId, email: "bob@example.com" }] });
    expect([...keys()].filter((k) => k.startsWith("grant:"))).toEqual([alice.grantKey]);
  });

  it("--all needs --yes when it cannot ask, and asks first when it can", async () => {
    expect(await run(["grants", "revoke", "--all"])).toBe(2);
    expect(err.join("")).toMatch(/signs everyone out; it needs --yes/);
    expect(keys().has(alice.grantKey)).toBe(true);

    const prompter = scriptedPrompter({ confirm: false });
    await expect(runGrantsRevoke({ kind: "cloudflare", options: h.options }, { all: true }, {}, { ...h.deps, prompter })).rejects.toThrow("Nothing was revoked.");
    expect(prompter.asked).toEqual(["Revoke all 3 grant(s)? Every MCP client must sign in again."]);
    expect(keys().has(alice.grantKey)).toBe(true);

    expect(await run(["grants", "revoke", "--all", "--yes"])).toBe(0);
    expect([...keys()].filter((k) => k.startsWith("grant:") || k.startsWith("token:"))).toEqual([]);
    expect([...keys()].sort()).toEqual([`client:${claude}`, `client:${cursor}`].sort());
  });

  it("asks before revoking a person when told to (the page), and revokes nothing on no", async () => {
    const source = { kind: "cloudflare" as const, options: h.options };
    const no = scriptedPrompter({ confirm: false });
    await expect(runGrantsRevoke(source, { user: "alice@example.com" }, { confirmEach: true }, { ...h.deps, prompter: no })).rejects.toThrow("Nothing was revoked.");
    expect(no.asked).toEqual(["Revoke the 2 grant(s) of alice@example.com? Their MCP clients must sign in again."]);
    expect(h.fake.writes().filter((c) => c.path.endsWith("/bulk/delete"))).toEqual([]);
    const yes = scriptedPrompter({ confirm: true });
    const result = await runGrantsRevoke(source, { grant: bob.grantId }, { confirmEach: true }, { ...h.deps, prompter: yes });
    expect(yes.asked).toEqual([`Revoke grant ${bob.grantId}? Its MCP client must sign in again.`]);
    expect(result.revoked.map((g) => g.grantId)).toEqual([bob.grantId]);
    expect(keys().has(bob.grantKey)).toBe(false);
  });

  it("reports grants the API could not delete, exit 1, and a re-run finishes the job", async () => {
    data.undeletable.add(alice.tokenKeys[0] ?? "");
    expect(await run(["grants", "revoke", "--user", "alice@example.com"])).toBe(1);
    expect(out.join("")).toContain(`✗ 1 grant(s) could not be fully revoked: ${alice.grantId}.\n  Run the same command again.`);
    expect(keys().has(alice.tokenKeys[0] ?? "")).toBe(true);
    // The grant stays while one of its tokens does: the re-run must still find it.
    expect(keys().has(alice.grantKey)).toBe(true);
    expect(keys().has(aliceCursor.grantKey)).toBe(false);
    data.undeletable.clear();
    out.length = 0;
    expect(await run(["grants", "revoke", "--user", "alice@example.com"])).toBe(0);
    expect([...keys()].some((k) => k.includes(alice.userId))).toBe(false);
  });

  it("deletes a token that a concurrent refresh wrote back during the revoke", async () => {
    // The refresh read the grant before the delete and writes its new access token after it.
    const late = `token:${bob.userId}:${bob.grantId}:${"f".repeat(64)}`;
    data.afterBulkDelete = () => {
      data.afterBulkDelete = undefined;
      data.entries.set(late, { value: "{}", expiration: Math.floor(Date.now() / 1000) + 3600 });
    };
    expect(await run(["grants", "revoke", "--user", "bob@example.com", "--json"])).toBe(0);
    expect(json()).toMatchObject({ revoked: [{ grantId: bob.grantId }], lateKeysDeleted: 1 });
    expect(keys().has(late)).toBe(false);
  });

  it("says nothing matched without failing", async () => {
    expect(await run(["grants", "revoke", "--user", "nobody@example.com"])).toBe(0);
    expect(out.join("")).toContain("No grant matched --user nobody@example.com; nothing was revoked.");
    expect(h.fake.writes().filter((c) => c.path.endsWith("/bulk/delete"))).toEqual([]);
  });
});

describe("grants errors", () => {
  it("explains a KV namespace that no longer exists", async () => {
    h.account.kv.clear();
    expect(await run(["grants", "list"])).toBe(1);
    expect(err.join("")).toMatch(/The KV namespace [0-9a-f]{32} recorded in .* no longer exists\.\n {2}Run `setup` to create it again/);
  });

  it("needs a setup and an API token for Cloudflare (not for --local)", async () => {
    expect(await run(["grants", "list", "--state=/nonexistent/state.json"])).toBe(1);
    expect(await run(["grants", "list"], { CLOUDFLARE_API_TOKEN: undefined })).toBe(2);
    expect(err.join("")).toContain("No Cloudflare API token.");
    err.length = 0;
    expect(await run(["grants", "list", `--dev-dir=${h.dir}`], { CLOUDFLARE_API_TOKEN: undefined })).toBe(1);
    expect(err.join("")).toMatch(/No local stack state in .* \(no worker-storage folder\)\.\n {2}Start the local stack once with `npm start`/);
  });

  it("names the lacking permission", async () => {
    const token = h.fake.addToken({ accounts: [h.account], permissions: new Map() });
    expect(await run(["grants", "list"], { CLOUDFLARE_API_TOKEN: token })).toBe(1);
    expect(err.join("")).toContain('lacks the permission "Account › Workers KV Storage › Edit"');
  });

  it.each([
    [["grants", "revoke"], "`grants revoke` needs to know which grants."],
    [["grants", "revoke", "--user", "a@b.co", "--all"], "takes one of --user, --client, --grant or --all, not several"],
    [["grants", "list", "--all"], "--all belongs to `grants revoke`"],
    [["status", "--user", "a@b.co"], "--user belongs to `grants list` and `grants revoke`."],
    [["grants", "list", "--user", "not an email@"], "--user is not a valid email address."],
    [["grants", "list", "--grant", "../x"], "--grant is not valid"],
    [["grants"], 'Unknown command "grants".'],
    [["grants", "revoke", "--grant", "-AbCdEfGhIjKlMnO"], "To specify an option argument starting with a dash use '--grant=-XYZ'."],
  ])("usage: %j", async (argv, message) => {
    expect(await run(argv)).toBe(2);
    expect(err.join("")).toContain(message);
  });
});
