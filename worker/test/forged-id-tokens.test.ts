/**
 * Forged id_tokens, one per rule: the Worker exchanges its code at a token endpoint that relays the
 * real IdP's answer but rewrites the id_token (alg none, HS256 with the public key, foreign keys,
 * wrong iss/aud/nonce, bad times). Each must end on an error page with no code for the client,
 * no grant stored, and nothing proxied.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { devSubjectFor, approveAuthorization, loginAtDevIdp, prepareAuthorization } from "@mcpbox/dev/test-kit";
import type { ForgeMode } from "./helpers/harness-info";
import { ORIGIN, harness, mcpPost, mcpUrl, networkWithEnv, newProbe, standinRecords, uniqueEmail } from "./helpers/workerd/worker-harness";
import { SELF } from "cloudflare:test";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs a login whose token endpoint is the forging proxy in `mode`; returns the callback response and what was logged. */
async function loginThroughForge(mode: ForgeMode) {
  const errors = vi.spyOn(console, "error");
  const network = networkWithEnv({ ACCESS_TOKEN_URL: `${harness().harnessUrl}/forge/${mode}` });
  const email = uniqueEmail(mode);
  const prepared = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp` });
  const { idpUrl } = await approveAuthorization(prepared);
  const callback = await loginAtDevIdp(prepared.browser, idpUrl.href, email);
  const response = await prepared.browser.request(callback);
  const logged = errors.mock.calls.map((call) => String(call[0])).join("\n");
  return { response, email, logged };
}

async function grantsOf(email: string): Promise<string[]> {
  const sub = await devSubjectFor(email);
  const listed = await env.OAUTH_KV.list({ prefix: `grant:${encodeURIComponent(sub)}:` });
  return listed.keys.map((key) => key.name);
}

describe("the forging proxy itself", () => {
  it("relays a genuine id_token untouched, and that login succeeds (control case)", async () => {
    const { response, email } = await loginThroughForge("passthrough");
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("Location") ?? "").searchParams.get("code")).toBeTruthy();
    expect(await grantsOf(email)).toHaveLength(1);
  });
});

const forgeries: Array<[ForgeMode, string]> = [
  ["alg-none", "algorithm_not_allowed"],
  ["hs256-public-key", "algorithm_not_allowed"],
  ["unknown-kid", "unknown_kid"],
  ["wrong-signature", "bad_signature"],
  ["wrong-iss", "wrong_issuer"],
  ["wrong-aud", "wrong_audience"],
  ["wrong-nonce", "nonce_mismatch"],
  ["missing-nonce", "nonce_mismatch"],
  ["expired", "expired"],
  ["nbf-future", "not_yet_valid"],
  ["iat-future", "issued_in_future"],
];

describe.each(forgeries)("an id_token forged as %s", (mode, reason) => {
  it(`is refused (${reason}): error page, no code, no grant, nothing proxied`, async () => {
    const { response, email, logged } = await loginThroughForge(mode);
    expect(response.status).toBe(502);
    expect(response.headers.get("Location")).toBeNull();
    expect(response.headers.get("Content-Type")).toContain("text/html");
    const page = await response.text();
    expect(page).toContain("Cloudflare Access returned an identity token this server could not verify.");
    expect(page).toContain("Return to the app");
    expect(logged).toContain(`"reason":"${reason}"`);
    expect(await grantsOf(email)).toEqual([]);

    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(probe), undefined))).status).toBe(401);
    expect(await standinRecords(probe)).toEqual([]);
  });
});
