/**
 * The Worker's hostile-input catalogue (issue 10 §6, Worker side): one table of requests an
 * attacker can send, covering every refusal the Worker makes — paths and encodings, methods,
 * Origin, bearer tokens, forged id_tokens, redirect URIs, consent CSRF, body sizes and malformed
 * OAuth requests. Every row asserts the status, a clear error body, and that the gateway stand-in
 * received nothing for the row's probe (every URL carries one; only a proxied call would show it).
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FORGE_MODES, REFRESH_ONLY_FORGE_MODES } from "./helpers/harness-info";
import {
  ScriptedBrowser,
  approveAuthorization,
  consentFormFields,
  loginAtDevIdp,
  prepareAuthorization,
  type PreparedAuthorization,
} from "@mcpbox/dev/test-kit";
import { ORIGIN, fromAddress, harness, login, mcpPost, networkWithEnv, newProbe, nextClientAddress, selfNetwork, standinRecords, uniqueEmail } from "./helpers/workerd/worker-harness";

type Build = (probe: string) => Request | Promise<Request>;

interface Row {
  group: string;
  name: string;
  build: Build;
  status: number;
  /** Text the error body (or Location) must contain. */
  body: string;
  /** Send through a network other than SELF (forged id_tokens use a Worker env pointing at the forging proxy). */
  send?: (request: Request) => Promise<Response>;
}

const network = selfNetwork();
const NOT_FOUND = "There is nothing at this address.";

/** `path` on the Worker with the probe in the query (so a proxied request would be recorded). */
function at(path: string, probe: string): string {
  return `${ORIGIN}${path}${path.includes("?") ? "&" : "?"}probe=${probe}`;
}

function get(path: string, headers: Record<string, string> = {}): Build {
  return (probe) => new Request(at(path, probe), { headers });
}

function mcp(token: string | undefined, headers: Record<string, string> = {}, path = "/mcp"): Build {
  return (probe) => mcpPost(at(path, probe), token, { headers });
}

function form(path: string, fields: Record<string, string> | string, headers: Record<string, string> = {}): Build {
  const body = typeof fields === "string" ? fields : new URLSearchParams(fields).toString();
  return (probe) => new Request(at(path, probe), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body });
}

function json(path: string, body: string, contentType = "application/json"): Build {
  return (probe) => new Request(at(path, probe), { method: "POST", headers: { "Content-Type": contentType }, body });
}

let preparedOnce: Promise<PreparedAuthorization> | undefined;
/** One registered client and authorization request, shared by the rows that need a real client. */
function prepared(): Promise<PreparedAuthorization> {
  preparedOnce ??= prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp`, redirectUri: "https://claude.ai/api/mcp/auth_callback" });
  return preparedOnce;
}

function authorizeWith(edit: (url: URL, p: PreparedAuthorization) => void): Build {
  return async (probe) => {
    const p = await prepared();
    const url = new URL(p.authorizeUrl);
    edit(url, p);
    url.searchParams.set("probe", probe);
    return new Request(url.href);
  };
}

/** A consent POST from a browser that holds a real consent page, with the form edited. */
function consentPost(edit: (fields: Record<string, string>) => Record<string, string>, headers: Record<string, string> = {}, stranger = false): Build {
  return async (probe) => {
    const p = await prepareAuthorization(network, { mcpUrl: `${ORIGIN}/mcp` });
    const page = await p.browser.request(p.authorizeUrl);
    const fields = edit({ ...consentFormFields(await page.text()), decision: "approve" });
    const cookie = stranger ? undefined : p.browser.jar.header(new URL(ORIGIN));
    return new Request(at("/authorize", probe), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, "Sec-Fetch-Site": "same-origin", ...(cookie ? { Cookie: cookie } : {}), ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  };
}

const forgeNetworks = new Map<string, ReturnType<typeof networkWithEnv>>();
/** The /callback request after a login whose id_token the forging proxy rewrote in `mode`. */
function forgedCallback(mode: string): Pick<Row, "build" | "send"> {
  const forged = networkWithEnv({ ACCESS_TOKEN_URL: `${harness().harnessUrl}/forge/${mode}` });
  forgeNetworks.set(mode, forged);
  let browser: ScriptedBrowser | undefined;
  return {
    build: async (probe) => {
      const p = await prepareAuthorization(forged, { mcpUrl: `${ORIGIN}/mcp` });
      browser = p.browser;
      const { idpUrl } = await approveAuthorization(p);
      const callback = await loginAtDevIdp(p.browser, idpUrl.href, uniqueEmail(mode));
      callback.searchParams.set("probe", probe);
      return new Request(callback.href);
    },
    send: (request) => (browser ? browser.request(request.url) : Promise.reject(new Error("no browser"))),
  };
}

const PATHS: Row[] = [
  "/admin",
  "/mcp/",
  "/MCP",
  "/Mcp",
  "/mcp/../admin",
  "/mcp/%2e%2e/admin",
  "/x/%2e%2e/admin",
  "/mcp%2f..%2fadmin",
  "//mcp",
  "/mcp;jsessionid=1",
  "/mcp%00",
  "/mcp%20",
  "/health/",
  "/token/",
  "/authorize/x",
  "/.git/config",
  "/.well-known/../admin",
  "/.well-known/oauth-protected-resource/other",
  "/%6dcp",
  "/mcp.json",
].map((path) => ({ group: "paths and encodings", name: `GET ${path}`, build: get(path), status: 404, body: NOT_FOUND }));

const METHODS: Row[] = [
  ["PUT", "/mcp"],
  ["PATCH", "/mcp"],
  ["POST", "/health"],
  ["DELETE", "/health"],
  ["PUT", "/authorize"],
  ["POST", "/callback"],
  ["GET", "/revoke"],
].map(([method, path]) => ({
  group: "methods",
  name: `${method} ${path}`,
  build: (probe: string) => new Request(at(path ?? "/", probe), { method }),
  status: 405,
  body: "is not supported at this address.",
}));

const ORIGINS: Row[] = [
  ["https://evil.example", "Requests from https://evil.example are not allowed."],
  ["https://claude.ai.evil.example", "are not allowed."],
  ["http://claude.ai", "are not allowed."],
  ["null", "Requests from null are not allowed."],
].map(([origin, body]) => ({ group: "Origin", name: `POST /mcp from Origin ${origin}`, build: mcp(undefined, { Origin: origin ?? "" }), status: 403, body: body ?? "" }));
ORIGINS.push({
  group: "Origin",
  name: "a CORS preflight from another site",
  build: (probe) => new Request(at("/mcp", probe), { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } }),
  status: 403,
  body: "are not allowed.",
});

const TOKENS: Row[] = [
  ["no Authorization header", undefined, {}],
  ["an empty bearer token", "", { Authorization: "Bearer " }],
  ["Basic credentials", undefined, { Authorization: "Basic dXNlcjpwYXNz" }],
  ["a token of the right shape that was never issued", "user:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", {}],
  ["a token with too few parts", "a:b", {}],
  ["a JWT-looking token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", {}],
  ["an 8 KiB token", "t".repeat(8192), {}],
  ["two bearer tokens", undefined, { Authorization: "Bearer a, Bearer b" }],
].map(([name, token, headers]) => ({
  group: "tokens",
  name: `/mcp with ${String(name)}`,
  build: mcp(token as string | undefined, headers as Record<string, string>),
  status: 401,
  body: "",
}));
TOKENS.push({
  group: "tokens",
  name: "/mcp with the token in the query string",
  build: (probe) => mcpPost(`${at("/mcp", probe)}&access_token=abc`, undefined),
  status: 400,
  body: "Send the access token in the Authorization header, not in the URL.",
});

const FORGED: Row[] = FORGE_MODES.filter((mode) => mode !== "passthrough" && !REFRESH_ONLY_FORGE_MODES.includes(mode)).map((mode) => ({
  group: "forged id_tokens",
  name: `an id_token forged as ${mode}`,
  ...forgedCallback(mode),
  status: 502,
  body: "Cloudflare Access returned an identity token this server could not verify.",
}));

const REDIRECTS: Row[] = [
  ["an unregistered https URI", "https://claude.ai/api/other_callback"],
  ["plain http to a non-loopback host", "http://claude.ai/api/mcp/auth_callback"],
  ["a look-alike host", "https://claude.ai.evil.example/api/mcp/auth_callback"],
  ["the registered URI with a fragment", "https://claude.ai/api/mcp/auth_callback#x"],
  ["the registered URI with extra query", "https://claude.ai/api/mcp/auth_callback?next=https://evil.example"],
  ["javascript:", "javascript:alert(1)"],
  ["data:", "data:text/html,hi"],
].map(([name, uri]) => ({
  group: "redirect URIs",
  name: `/authorize with ${name}`,
  build: authorizeWith((url) => url.searchParams.set("redirect_uri", uri ?? "")),
  status: 400,
  body: "The app sent an invalid sign-in request",
}));
REDIRECTS.push(
  { group: "redirect URIs", name: "/authorize without client_id", build: authorizeWith((url) => url.searchParams.delete("client_id")), status: 400, body: "invalid sign-in request" },
  {
    group: "redirect URIs",
    name: "/authorize for a client id this server never issued",
    build: authorizeWith((url) => url.searchParams.set("client_id", "never-registered")),
    status: 400,
    body: "registration is unknown to this server (invalid_client)",
  },
);

const CSRF: Row[] = [
  { group: "consent CSRF", name: "a consent POST without a CSRF token", build: consentPost(({ csrf_token: _drop, ...rest }) => rest), status: 403, body: "This consent form was not issued for this request." },
  { group: "consent CSRF", name: "a consent POST with a wrong CSRF token", build: consentPost((f) => ({ ...f, csrf_token: "A".repeat(43) })), status: 403, body: "was not issued for this request" },
  { group: "consent CSRF", name: "a consent POST naming another client", build: consentPost((f) => ({ ...f, client_id: "another-client" })), status: 403, body: "was not issued for this request" },
  { group: "consent CSRF", name: "a consent POST from another site (Origin)", build: consentPost((f) => f, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" }), status: 403, body: "posted from another site" },
  { group: "consent CSRF", name: "a consent POST with Sec-Fetch-Site same-site", build: consentPost((f) => f, { "Sec-Fetch-Site": "same-site" }), status: 403, body: "posted from another site" },
  { group: "consent CSRF", name: "a consent POST from another browser (no transaction cookie)", build: consentPost((f) => f, {}, true), status: 400, body: "opened in another browser" },
  { group: "consent CSRF", name: "a consent POST with a forged handle", build: consentPost((f) => ({ ...f, handle: "forged" })), status: 403, body: "was not issued for this request" },
  { group: "consent CSRF", name: "a consent POST as JSON", build: async (probe) => new Request(at("/authorize", probe), { method: "POST", headers: { "Content-Type": "application/json", Origin: ORIGIN }, body: "{}" }), status: 400, body: "This consent form is incomplete." },
];

const SIZES: Row[] = [
  { group: "body sizes", name: "/token with 9 KiB", build: form("/token", `grant_type=authorization_code&code=${"c".repeat(9 * 1024)}`), status: 413, body: "(8192 bytes)" },
  { group: "body sizes", name: "/token declaring 100 MB", build: (probe) => new Request(at("/token", probe), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "100000000" }, body: "grant_type=x" }), status: 413, body: "larger than this address accepts" },
  { group: "body sizes", name: "/revoke with 5 KiB", build: form("/revoke", `token=${"t".repeat(5 * 1024)}`), status: 413, body: "(4096 bytes)" },
  { group: "body sizes", name: "/register with 9 KiB", build: json("/register", JSON.stringify({ redirect_uris: ["https://a.example/cb"], software_id: "s".repeat(9 * 1024) })), status: 413, body: "(8192 bytes)" },
  { group: "body sizes", name: "a consent POST with 5 KiB", build: consentPost((f) => ({ ...f, pad: "p".repeat(5 * 1024) })), status: 413, body: "(4096 bytes)" },
];

const MALFORMED: Row[] = [
  { group: "malformed requests", name: "/token as JSON", build: json("/token", '{"grant_type":"authorization_code"}'), status: 400, body: "Content-Type must be application/x-www-form-urlencoded" },
  { group: "malformed requests", name: "/token without grant_type", build: form("/token", { client_id: "x" }), status: 401, body: "invalid_client" },
  { group: "malformed requests", name: "/token with a repeated parameter", build: form("/token", "grant_type=refresh_token&grant_type=authorization_code"), status: 400, body: "must not be repeated" },
  { group: "malformed requests", name: "/token with a malformed code", build: async (probe) => form("/token", { grant_type: "authorization_code", code: "nope", client_id: (await prepared()).client.client_id, code_verifier: "v".repeat(43) })(probe), status: 400, body: "invalid_grant" },
  { group: "malformed requests", name: "/token with a malformed refresh token", build: async (probe) => form("/token", { grant_type: "refresh_token", refresh_token: "nope", client_id: (await prepared()).client.client_id })(probe), status: 400, body: "invalid_grant" },
  { group: "malformed requests", name: "/token with an unsupported grant type", build: async (probe) => form("/token", { grant_type: "password", client_id: (await prepared()).client.client_id })(probe), status: 400, body: "unsupported_grant_type" },
  { group: "malformed requests", name: "/register with invalid JSON", build: json("/register", "{redirect_uris:"), status: 400, body: "not valid UTF-8 JSON" },
  { group: "malformed requests", name: "/register with a JSON array", build: json("/register", "[]"), status: 400, body: "must be a JSON object" },
  { group: "malformed requests", name: "/register with invalid UTF-8", build: (probe) => new Request(at("/register", probe), { method: "POST", headers: { "Content-Type": "application/json" }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }), status: 400, body: "not valid UTF-8 JSON" },
  { group: "malformed requests", name: "/register with redirect_uris as a string", build: json("/register", '{"redirect_uris":"https://a.example/cb"}'), status: 400, body: "redirect_uris must be an array of strings" },
  { group: "malformed requests", name: "/register with 11 redirect URIs", build: json("/register", JSON.stringify({ redirect_uris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) })), status: 400, body: "more than 10 entries" },
  { group: "malformed requests", name: "/register with a remote http redirect URI", build: json("/register", '{"redirect_uris":["http://evil.example/cb"]}'), status: 400, body: "invalid_client_metadata" },
  { group: "malformed requests", name: "/callback without state", build: get("/callback?code=x"), status: 400, body: "This sign-in link has expired, was already used, or was opened in another browser." },
  { group: "malformed requests", name: "/callback with a state this browser never started", build: get("/callback?code=x&state=forged"), status: 400, body: "opened in another browser" },
  { group: "malformed requests", name: "/revoke with a grant_type", build: form("/revoke", { token: "x", grant_type: "refresh_token" }), status: 400, body: "This address only revokes tokens" },
  { group: "malformed requests", name: "/revoke without a token", build: form("/revoke", { client_id: "x" }), status: 400, body: "This address only revokes tokens" },
  { group: "malformed requests", name: "/authorize with response_type=token", build: authorizeWith((url) => url.searchParams.set("response_type", "token")), status: 302, body: "error=unsupported_response_type" },
];

const CATALOGUE: Row[] = [...PATHS, ...METHODS, ...ORIGINS, ...TOKENS, ...FORGED, ...REDIRECTS, ...CSRF, ...SIZES, ...MALFORMED];

describe("the Worker's hostile-input catalogue", () => {
  it(`lists at least 60 hostile inputs (${CATALOGUE.length})`, () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CATALOGUE)("[$group] $name → $status", async ({ group, build, status, body, send }) => {
    const probe = newProbe();
    const request = await build(probe);
    const response = await (send ?? ((r: Request) => SELF.fetch(fromAddress(new Request(r, { redirect: "manual" }), nextClientAddress()))))(request);
    expect(response.status).toBe(status);
    const text = status >= 300 && status < 400 ? (response.headers.get("Location") ?? "") : await response.text();
    if (group === "tokens" && status === 401) {
      // RFC 6750 §3 / RFC 9728 §5.1: the challenge tells the client where to get a token.
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*resource_metadata="/);
    } else {
      expect(text).toContain(body);
    }
    if (status >= 400 && status !== 401 && response.headers.get("Content-Type")?.includes("application/json")) {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(typeof (parsed.error_description ?? (parsed.error as { message?: unknown } | undefined)?.message)).toBe("string");
    }
    expect(await standinRecords(probe)).toEqual([]);
  });

  it("a genuine login still works through the same Worker (control case)", async () => {
    const flow = await login();
    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(at("/mcp", probe), flow.tokens.access_token))).status).toBe(200);
    expect(await standinRecords(probe)).toHaveLength(1);
  });
});
