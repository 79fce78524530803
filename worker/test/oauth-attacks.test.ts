/**
 * Issue 14's attack table, run in workerd: each row is one attack from the hostile campaign against
 * the Worker's OAuth surface (budgets, token reuse, silent revocation, spoofing, body caps, CIMD
 * redirects, metadata, prompt=none, code_challenge, consent CSP, code exchange races). The runner
 * checks the status and the error body every row names; a row's `check` verifies what the attack
 * would have won (tokens, KV writes, a revoked grant) did not happen.
 */
import { SELF, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ScriptedBrowser,
  approveAuthorization,
  authorizationUrl,
  consentFormFields,
  exchangeCode,
  finishAtCallback,
  loginAtDevIdp,
  newPkce,
  prepareAuthorization,
  submitConsent,
  type PreparedAuthorization,
} from "@mcpbox/dev/test-kit";
import { guardLibraryFetch, isLibraryFetchGuard } from "../src/oauth/cimd-fetch-guard";
import { CountingKv } from "./helpers/workerd/counting-kv";
import { ORIGIN, callWorker, envWith, fromAddress, login, mcpPost, mcpUrl, newProbe, nextClientAddress, selfNetwork, uniqueEmail } from "./helpers/workerd/worker-harness";
import { createWorker } from "../src/wiring";

afterEach(() => vi.restoreAllMocks());

const network = selfNetwork();
const TOKEN = `${ORIGIN}/token`;

interface Attack {
  finding: string;
  name: string;
  attack: () => Promise<{ response: Response; check?: (body: string) => Promise<void> }>;
  status: number;
  /** Text the answer must contain (JSON error body, page text or Location). */
  body: string;
}

/** The Worker with a counted KV (same isolate and code as SELF). */
function counted(): { kv: CountingKv; send: (request: Request) => Promise<Response> } {
  const kv = new CountingKv(env.OAUTH_KV);
  const testEnv = envWith({ OAUTH_KV: kv.binding() });
  return { kv, send: (request) => callWorker(request, testEnv) };
}

/** The production wiring with a clock `offsetSeconds` ahead (for what happens after a window). */
function workerLater(offsetSeconds: number) {
  const router = createWorker(() => Math.floor(Date.now() / 1000) + offsetSeconds);
  return async (request: Request) => {
    const ctx = createExecutionContext();
    const response = await router.fetch(fromAddress(request, nextClientAddress()), env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
}

function register(body: BodyInit, contentType: string | null, address = nextClientAddress(), send = (r: Request) => SELF.fetch(r)): Promise<Response> {
  const headers = new Headers(contentType ? { "Content-Type": contentType } : {});
  return send(fromAddress(new Request(`${ORIGIN}/register`, { method: "POST", headers, body }), address));
}

function refreshForm(clientId: string, refreshToken: string): Request {
  return new Request(TOKEN, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }).toString(),
  });
}

async function refresh(clientId: string, refreshToken: string, send = (r: Request) => SELF.fetch(fromAddress(r, nextClientAddress()))) {
  const response = await send(refreshForm(clientId, refreshToken));
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function mcpStatus(token: string): Promise<number> {
  return (await SELF.fetch(mcpPost(mcpUrl(newProbe()), token))).status;
}

function prepare(options: { clientName?: string; redirectUri?: string } = {}): Promise<PreparedAuthorization> {
  return prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, ...options });
}

/** Sends requests from one address until the limiter answers 429 (at most `2 × limit + 1`: one window may roll over). */
async function untilLimited(limit: number, send: () => Promise<Response>): Promise<{ passed: number; refused: Response }> {
  let passed = 0;
  for (let i = 0; i <= 2 * limit; i++) {
    const response = await send();
    if (response.status === 429) return { passed, refused: response };
    await response.body?.cancel();
    passed += 1;
  }
  throw new Error(`no 429 after ${2 * limit + 1} requests`);
}

const ATTACKS: Attack[] = [
  // 1. Anonymous writes and the free plan's write budget.
  {
    finding: "1 budgets",
    name: "a registration with a 1 MiB client_name is refused before it is read whole, and nothing is stored",
    status: 413,
    body: "larger than this address accepts",
    attack: async () => {
      const { kv, send } = counted();
      const response = await register(JSON.stringify({ redirect_uris: ["https://a.example/cb"], client_name: "x".repeat(1024 * 1024) }), "application/json", undefined, send);
      return { response, check: async () => expect(kv.counts.writes).toBe(0) };
    },
  },
  {
    finding: "1 budgets",
    name: "a registration with an over-long client_name in a small body is refused without a write",
    status: 400,
    body: '"error":"invalid_client_metadata"',
    attack: async () => {
      const { kv, send } = counted();
      const response = await register(JSON.stringify({ redirect_uris: ["https://a.example/cb"], client_name: "n".repeat(201) }), "application/json", undefined, send);
      return { response, check: async (body) => {
        expect(body).toContain("client_name is longer than 200 characters");
        expect(kv.counts.writes).toBe(0);
      } };
    },
  },
  {
    finding: "1 budgets",
    name: "a text/plain registration is refused (JSON only)",
    status: 415,
    body: "Client registration takes a JSON body",
    attack: async () => ({ response: await register(JSON.stringify({ redirect_uris: ["https://a.example/cb"] }), "text/plain") }),
  },
  {
    finding: "1 budgets",
    name: "a registration without a content type is refused",
    status: 415,
    body: '"error":"unsupported_media_type"',
    attack: async () => ({ response: await register(JSON.stringify({ redirect_uris: ["https://a.example/cb"] }), null) }),
  },
  {
    finding: "1 budgets",
    name: "a registration burst from one address gets 429 with Retry-After after the limit, and the refused ones store nothing",
    status: 429,
    body: "Too many requests from your network address.",
    attack: async () => {
      const address = nextClientAddress();
      const { kv, send } = counted();
      const { passed, refused } = await untilLimited(10, () => register(JSON.stringify({ redirect_uris: ["https://a.example/cb"] }), "application/json", address, send));
      const writesBefore = kv.counts.writes;
      const again = await register(JSON.stringify({ redirect_uris: ["https://a.example/cb"] }), "application/json", address, send);
      return { response: refused, check: async () => {
        expect(passed).toBeGreaterThanOrEqual(10);
        expect(passed).toBeLessThanOrEqual(20);
        expect(refused.headers.get("Retry-After")).toBe("60");
        expect(again.status).toBe(429);
        expect(kv.counts.writes).toBe(writesBefore);
        // Another address is not affected.
        expect((await register(JSON.stringify({ redirect_uris: ["https://a.example/cb"] }), "application/json")).status).toBe(201);
      } };
    },
  },
  {
    finding: "1 budgets",
    name: "an anonymous consent page writes nothing to KV",
    status: 200,
    body: "to use the MCP server at",
    attack: async () => {
      const prepared = await prepare();
      const { kv, send } = counted();
      const response = await send(fromAddress(new Request(prepared.authorizeUrl), nextClientAddress()));
      return { response, check: async () => {
        expect(kv.counts.writes + kv.counts.deletes).toBe(0);
        expect(response.headers.get("Set-Cookie")).toMatch(/^__Host-mcpbox-consent-[0-9a-f]{16}=/);
      } };
    },
  },
  {
    finding: "1 budgets",
    name: "consent starts from one address get a 429 page after the limit",
    status: 429,
    body: "Too many requests from your network address.",
    attack: async () => {
      const prepared = await prepare();
      const address = nextClientAddress();
      const { passed, refused } = await untilLimited(30, () => SELF.fetch(fromAddress(new Request(prepared.authorizeUrl), address)));
      return { response: refused, check: async () => {
        expect(passed).toBeGreaterThanOrEqual(30);
        expect(refused.headers.get("Retry-After")).toBe("60");
        expect(refused.headers.get("Content-Type")).toContain("text/html");
      } };
    },
  },
  // 2. Refresh-token reuse.
  {
    finding: "2 reuse",
    name: "RT0 presented after its successor was used revokes the grant: the thief gets nothing and the owner must sign in again",
    status: 400,
    body: "already used, so every token of this sign-in was revoked",
    attack: async () => {
      const flow = await login();
      const rt0 = flow.tokens.refresh_token ?? "";
      const first = await refresh(flow.client.client_id, rt0);
      const second = await refresh(flow.client.client_id, first.body.refresh_token ?? "");
      expect(second.status).toBe(200);
      const response = await SELF.fetch(fromAddress(refreshForm(flow.client.client_id, rt0), nextClientAddress()));
      return { response, check: async () => {
        expect((await refresh(flow.client.client_id, second.body.refresh_token ?? "")).status).toBe(400);
        expect(await mcpStatus(second.body.access_token ?? "")).toBe(401);
      } };
    },
  },
  {
    finding: "2 reuse",
    name: "RT0 presented a second time after the grace window revokes the grant (the owner's RT1 stops working too)",
    status: 400,
    body: '"error":"invalid_grant"',
    attack: async () => {
      const flow = await login();
      const rt0 = flow.tokens.refresh_token ?? "";
      const first = await refresh(flow.client.client_id, rt0);
      expect(first.status).toBe(200);
      const response = await workerLater(61)(refreshForm(flow.client.client_id, rt0));
      return { response, check: async () => {
        expect((await refresh(flow.client.client_id, first.body.refresh_token ?? "")).status).toBe(400);
        expect(await mcpStatus(first.body.access_token ?? "")).toBe(401);
      } };
    },
  },
  {
    finding: "2 reuse",
    name: "RT0 presented again with a different request (not a retry) is reuse even inside the window",
    status: 400,
    body: "already used",
    attack: async () => {
      const flow = await login();
      const rt0 = flow.tokens.refresh_token ?? "";
      expect((await refresh(flow.client.client_id, rt0)).status).toBe(200);
      const altered = new Request(TOKEN, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: rt0, client_id: flow.client.client_id, scope: "" }).toString(),
      });
      return { response: await SELF.fetch(fromAddress(altered, nextClientAddress())) };
    },
  },
  {
    finding: "2 reuse",
    name: "a lost response: the identical retry inside the window gets the same successor, which then works",
    status: 200,
    body: '"refresh_token"',
    attack: async () => {
      const flow = await login();
      const rt0 = flow.tokens.refresh_token ?? "";
      const first = await SELF.fetch(fromAddress(refreshForm(flow.client.client_id, rt0), nextClientAddress()));
      const firstBody = await first.text();
      const response = await SELF.fetch(fromAddress(refreshForm(flow.client.client_id, rt0), nextClientAddress()));
      return { response, check: async (body) => {
        expect(body).toBe(firstBody);
        const successor = (JSON.parse(body) as Record<string, string>).refresh_token ?? "";
        expect((await refresh(flow.client.client_id, successor)).status).toBe(200);
      } };
    },
  },
  {
    finding: "2 reuse",
    name: "two simultaneous refreshes with one token both get the same successor, and nobody is logged out",
    status: 200,
    body: '"access_token"',
    attack: async () => {
      const flow = await login();
      const rt0 = flow.tokens.refresh_token ?? "";
      const [a, b] = await Promise.all([refresh(flow.client.client_id, rt0), refresh(flow.client.client_id, rt0)]);
      expect(a.status).toBe(200);
      expect(b.body.refresh_token).toBe(a.body.refresh_token);
      const next = await SELF.fetch(fromAddress(refreshForm(flow.client.client_id, a.body.refresh_token ?? ""), nextClientAddress()));
      return { response: next, check: async () => expect(await mcpStatus(a.body.access_token ?? "")).toBe(200) };
    },
  },
  // 3. Silent revocation through a remembered approval.
  {
    finding: "3 silent revocation",
    name: "an attacker's cross-site link for an approved client shows the consent page instead of skipping it",
    status: 200,
    body: "to use the MCP server at",
    attack: async () => {
      const flow = await login();
      const attackerPkce = await newPkce();
      const url = authorizationUrl(`${ORIGIN}/authorize`, { clientId: flow.client.client_id, redirectUri: flow.client.redirect_uris[0] ?? "", pkce: attackerPkce, state: "x", resource: `${ORIGIN}/mcp` });
      const response = await flow.browser.request(url, {
        headers: { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1", Referer: "https://evil.example/" },
      });
      return { response, check: async () => expect(await mcpStatus(flow.tokens.access_token)).toBe(200) };
    },
  },
  {
    finding: "3 silent revocation",
    name: "a completed but unredeemed authorization does not end the client's existing grant",
    status: 200,
    body: "gateway-standin",
    attack: async () => {
      const flow = await login();
      const prepared = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, client: flow.client, browser: flow.browser });
      const { idpUrl } = await approveAuthorization(prepared);
      const callback = await loginAtDevIdp(prepared.browser, idpUrl.href, uniqueEmail("victim"));
      const { code } = await finishAtCallback(prepared, callback);
      expect(code).toBeTruthy();
      return { response: await SELF.fetch(mcpPost(mcpUrl(newProbe()), flow.tokens.access_token)) };
    },
  },
  // 4. Smaller findings.
  {
    finding: "4 spoofing",
    name: "a right-to-left override in client_name cannot reorder the consent page; the name is isolated and the host is ASCII",
    status: 200,
    body: "Its access is sent to <bdi>claude.ai</bdi>.",
    attack: async () => {
      const prepared = await prepare({ clientName: "Claude \u202Esm.ia\u2066", redirectUri: "https://claude.ai/api/mcp/auth_callback" });
      const response = await prepared.browser.request(prepared.authorizeUrl);
      return { response, check: async (body) => {
        expect(body).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
        expect(body).toContain("<bdi>Claude sm.ia</bdi>");
      } };
    },
  },
  {
    finding: "4 spoofing",
    name: "an internationalized redirect host is shown in punycode",
    status: 200,
    body: "Its access is sent to <bdi>xn--",
    attack: async () => {
      const prepared = await prepare({ redirectUri: "https://сlaude.ai/api/mcp/auth_callback" });
      return { response: await prepared.browser.request(prepared.authorizeUrl) };
    },
  },
  {
    finding: "4 body caps",
    name: "a 60 MB form body at /token is refused with 413",
    status: 413,
    body: "larger than this address accepts (8192 bytes)",
    attack: async () => ({ response: await SELF.fetch(new Request(TOKEN, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `grant_type=refresh_token&x=${"a".repeat(60 * 1024 * 1024)}` })) }),
  },
  {
    finding: "4 body caps",
    name: "a streamed body without Content-Length at /revoke is cut off at the cap",
    status: 413,
    body: "(4096 bytes)",
    attack: async () => {
      const chunk = new TextEncoder().encode("token=" + "b".repeat(2048));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 8; i++) controller.enqueue(chunk);
          controller.close();
        },
      });
      return { response: await SELF.fetch(new Request(`${ORIGIN}/revoke`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body, duplex: "half" } as RequestInit)) };
    },
  },
  {
    finding: "4 body caps",
    name: "an oversized consent POST is refused with 413",
    status: 413,
    body: "Request too large",
    attack: async () => {
      const prepared = await prepare();
      const page = await prepared.browser.request(prepared.authorizeUrl);
      const form = consentFormFields(await page.text());
      return { response: await submitConsent(prepared.browser, prepared.authorizeUrl, { ...form, padding: "p".repeat(8192) }, "approve") };
    },
  },
  {
    finding: "4 CIMD",
    name: "a Client ID Metadata Document that redirects is not followed; the document is fetched once per request",
    status: 400,
    body: "metadata document could not be read",
    attack: async () => {
      expect(isLibraryFetchGuard(globalThis.fetch)).toBe(true);
      const clientId = "https://trusted.example/oauth/client.json";
      const seen: string[] = [];
      const network = async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        seen.push(`${request.url} ${request.redirect}`);
        return request.url === clientId ? new Response(null, { status: 302, headers: { Location: "https://evil.example/doc.json" } }) : Response.json({ client_id: clientId, redirect_uris: ["https://evil.example/cb"] });
      };
      vi.spyOn(globalThis, "fetch").mockImplementation(guardLibraryFetch(network));
      const url = authorizationUrl(`${ORIGIN}/authorize`, { clientId, redirectUri: "https://evil.example/cb", pkce: await newPkce(), state: "s" });
      const response = await new ScriptedBrowser(selfNetwork()).request(url);
      return { response, check: async () => expect(seen).toEqual([`${clientId} manual`]) };
    },
  },
  {
    finding: "4 CIMD",
    name: "a valid CIMD document is fetched once for the consent page, not once per lookup",
    status: 200,
    body: "This app is published by <bdi>cimd.example</bdi>.",
    attack: async () => {
      const clientId = "https://cimd.example/oauth/client.json";
      const redirectUri = "https://cimd.example/cb";
      let fetches = 0;
      const network = async () => {
        fetches += 1;
        return Response.json({ client_id: clientId, client_name: "CIMD", redirect_uris: [redirectUri], token_endpoint_auth_method: "none" }, { headers: { "Cache-Control": "no-store" } });
      };
      vi.spyOn(globalThis, "fetch").mockImplementation(guardLibraryFetch(network));
      const url = authorizationUrl(`${ORIGIN}/authorize`, { clientId, redirectUri, pkce: await newPkce(), state: "s" });
      const response = await new ScriptedBrowser(selfNetwork()).request(url);
      return { response, check: async () => expect(fetches).toBe(1) };
    },
  },
  {
    finding: "4 metadata",
    name: "the 401 on /mcp points at the /mcp metadata document, whose resource is the /mcp URL",
    status: 401,
    body: "",
    attack: async () => {
      const response = await SELF.fetch(mcpPost(mcpUrl(newProbe()), undefined));
      return { response, check: async () => {
        const match = /resource_metadata="([^"]+)"/.exec(response.headers.get("WWW-Authenticate") ?? "");
        expect(match?.[1]).toBe(`${ORIGIN}/.well-known/oauth-protected-resource/mcp`);
        const document = (await (await SELF.fetch(match?.[1] ?? "")).json()) as Record<string, unknown>;
        expect(document.resource).toBe(`${ORIGIN}/mcp`);
      } };
    },
  },
  {
    finding: "4 metadata",
    name: "server metadata names /revoke and does not advertise private_key_jwt",
    status: 200,
    body: `"revocation_endpoint":"${ORIGIN}/revoke"`,
    attack: async () => {
      const response = await SELF.fetch(`${ORIGIN}/.well-known/oauth-authorization-server`);
      return { response, check: async (body) => expect(body).not.toContain("private_key_jwt") };
    },
  },
  {
    finding: "4 prompt=none",
    name: "prompt=none for a client not yet approved returns consent_required to the client, no page",
    status: 302,
    body: "error=consent_required",
    attack: async () => {
      const prepared = await prepare();
      const url = new URL(prepared.authorizeUrl);
      url.searchParams.set("prompt", "none");
      const response = await prepared.browser.open(url);
      return { response, check: async () => {
        const location = new URL(response.headers.get("Location") ?? "");
        expect(location.origin + location.pathname).toBe(prepared.redirectUri);
        expect(location.searchParams.get("state")).toBe(prepared.state);
      } };
    },
  },
  {
    finding: "4 prompt=none",
    name: "prompt=none for an approved client in its own flow returns login_required (Access may need the user)",
    status: 302,
    body: "error=login_required",
    attack: async () => {
      const flow = await login();
      const again = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, client: flow.client, browser: flow.browser });
      const url = new URL(again.authorizeUrl);
      url.searchParams.set("prompt", "none");
      return { response: await flow.browser.open(url) };
    },
  },
  ...[
    ["42 characters", "A".repeat(42)],
    ["129 characters", "A".repeat(129)],
    ["a character outside base64url", `${"A".repeat(42)}+`],
  ].map(([what, challenge]): Attack => ({
    finding: "4 code_challenge",
    name: `a code_challenge of ${what} goes back to the client as invalid_request`,
    status: 302,
    body: "error=invalid_request",
    attack: async () => {
      const prepared = await prepare();
      const url = new URL(prepared.authorizeUrl);
      url.searchParams.set("code_challenge", challenge ?? "");
      const response = await prepared.browser.request(url);
      return { response, check: async () => expect(new URL(response.headers.get("Location") ?? "").searchParams.get("error_description")).toContain("43 to 128") };
    },
  })),
  {
    finding: "4 consent CSP",
    name: "the consent page may only post to itself and, through the redirect, to Cloudflare Access (Allow) or the client (Deny)",
    status: 200,
    body: "<form method=\"post\">",
    attack: async () => {
      const prepared = await prepare();
      const response = await prepared.browser.request(prepared.authorizeUrl);
      return { response, check: async () => {
        const csp = response.headers.get("Content-Security-Policy") ?? "";
        const accessOrigin = new URL(String(env.ACCESS_AUTHORIZATION_URL)).origin;
        expect(csp).toContain(`form-action 'self' ${accessOrigin} ${new URL(prepared.redirectUri).origin};`);
        expect(csp).toContain("frame-ancestors 'none'");
      } };
    },
  },
  {
    finding: "4 code exchange race",
    name: "five parallel exchanges of one code issue tokens exactly once",
    status: 200,
    body: '"access_token"',
    attack: async () => {
      const prepared = await prepare();
      const { idpUrl } = await approveAuthorization(prepared);
      const { code } = await finishAtCallback(prepared, await loginAtDevIdp(prepared.browser, idpUrl.href, uniqueEmail("race")));
      const results = await Promise.all(Array.from({ length: 5 }, () => exchangeCode(network, prepared, code)));
      const winners = results.filter((result) => result.status === 200);
      expect(winners).toHaveLength(1);
      expect(results.filter((result) => result.body.error === "invalid_grant")).toHaveLength(4);
      const response = new Response(JSON.stringify(winners[0]?.body), { status: winners[0]?.status ?? 0 });
      return { response };
    },
  },
];

describe("issue 14: the OAuth surface under attack", () => {
  it.each(ATTACKS)("[$finding] $name", async ({ attack, status, body }) => {
    const { response, check } = await attack();
    expect(response.status).toBe(status);
    const text = response.status >= 300 && response.status < 400 ? (response.headers.get("Location") ?? "") : await response.text();
    expect(text).toContain(body);
    await check?.(text);
  });

  it("the table covers every finding of the issue", () => {
    const findings = new Set(ATTACKS.map((row) => row.finding));
    for (const finding of ["1 budgets", "2 reuse", "3 silent revocation", "4 spoofing", "4 body caps", "4 CIMD", "4 metadata", "4 prompt=none", "4 code_challenge", "4 consent CSP", "4 code exchange race"]) {
      expect(findings).toContain(finding);
    }
  });
});
