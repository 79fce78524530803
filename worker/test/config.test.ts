/**
 * Configuration: a missing secret or binding, or a malformed setting, answers 503 with the name
 * only in the log (never on the wire); /health stays up; the token lifetime and gateway address
 * come from their vars.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_GATEWAY_HOSTNAME, DEFAULT_GATEWAY_PORT, WORKER_SECRET_NAMES } from "@mcpbox/shared";
import {
  ORIGIN,
  callWorker,
  envWith,
  login,
  mcpPost,
  mcpUrl,
  networkWithEnv,
  newProbe,
  standinRecords,
} from "./helpers/workerd/worker-harness";

afterEach(() => {
  vi.restoreAllMocks();
});

async function callWith(overrides: Record<string, unknown>, request: Request) {
  const errors = vi.spyOn(console, "error");
  const response = await callWorker(request, envWith(overrides));
  const body = await response.text();
  const logged = errors.mock.calls.map((call) => String(call[0])).join("\n");
  return { response, body, logged };
}

describe("a missing setting", () => {
  it.each([...WORKER_SECRET_NAMES, "MCPBOX_TUNNEL", "OAUTH_KV", "REGISTER_RATE_LIMITER", "AUTHORIZE_RATE_LIMITER"])("%s: /mcp answers 503 and only the log names it", async (name) => {
    const probe = newProbe();
    const { response, body, logged } = await callWith({ [name]: undefined }, mcpPost(mcpUrl(probe), "any-token"));
    expect(response.status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ jsonrpc: "2.0", error: { message: expect.stringContaining("not fully configured") } });
    expect(body).not.toContain(name);
    expect(logged).toContain(`"setting":"${name}"`);
    expect(await standinRecords(probe)).toEqual([]);
  });

  it("gives the browser a page at /authorize, and a JSON error at the OAuth endpoints", async () => {
    const page = await callWith({ ACCESS_CLIENT_SECRET: undefined }, new Request(`${ORIGIN}/authorize?client_id=x`));
    expect(page.response.status).toBe(503);
    expect(page.response.headers.get("Content-Type")).toContain("text/html");
    expect(page.body).toContain("Server not configured");
    expect(page.body).not.toContain("ACCESS_CLIENT_SECRET");
    const metadata = await callWith({ ACCESS_CLIENT_SECRET: undefined }, new Request(`${ORIGIN}/.well-known/oauth-authorization-server`));
    expect(metadata.response.status).toBe(503);
    expect(JSON.parse(metadata.body)).toMatchObject({ error: "config_missing" });
  });

  it("leaves /health answering ok", async () => {
    const { response, body } = await callWith({ MCPBOX_SERVICE_TOKEN: undefined }, new Request(`${ORIGIN}/health`));
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ status: "ok" });
  });
});

describe("a malformed setting", () => {
  it.each([
    ["COOKIE_ENCRYPTION_KEY", "too-short"],
    ["ACCESS_TOKEN_URL", "http://access.example/token"],
    ["ACCESS_JWKS_URL", "not a url"],
  ])("secret %s answers 503 and names the setting, never its value, in the log", async (name, value) => {
    const { response, body, logged } = await callWith({ [name]: value }, mcpPost(mcpUrl(newProbe()), "any-token"));
    expect(response.status).toBe(503);
    expect(body).not.toContain(value);
    expect(logged).toContain(`"setting":"${name}"`);
    expect(logged).not.toContain(value);
  });

  it.each([
    ["GATEWAY_TARGET_PORT", "99999"],
    ["GATEWAY_TARGET_HOST", "bad host/name"],
    ["ACCESS_TOKEN_TTL_SECONDS", "30"],
    ["CORS_ORIGINS", "not-an-origin"],
    ["ALLOWED_EMAILS", "not an email"],
    ["REFRESH_TOKEN_TTL_SECONDS", "59"],
    ["REFRESH_TOKEN_IDLE_SECONDS", "31536001"],
    ["GRANT_MAX_AGE_SECONDS", "299"],
    ["ACCESS_RECHECK_SECONDS", "-1"],
    ["ACCESS_RECHECK_SECONDS", "1h"],
  ])("var %s=%j answers 503 and names the setting in the log only", async (name, value) => {
    const { response, body, logged } = await callWith({ [name]: value }, mcpPost(mcpUrl(newProbe()), "any-token"));
    expect(response.status).toBe(503);
    expect(body).not.toContain(value);
    expect(body).not.toContain(name);
    expect(logged).toContain(`"setting":"${name}"`);
  });
});

describe("configurable values", () => {
  it("ACCESS_TOKEN_TTL_SECONDS sets the access-token lifetime", async () => {
    const flow = await login({ network: networkWithEnv({ ACCESS_TOKEN_TTL_SECONDS: "120" }) });
    expect(flow.tokens.expires_in).toBe(120);
  });

  it("GATEWAY_TARGET_HOST and GATEWAY_TARGET_PORT set the address the tunnel binding is asked for", async () => {
    const network = networkWithEnv({ GATEWAY_TARGET_HOST: "gateway.internal", GATEWAY_TARGET_PORT: "9000" });
    const flow = await login({ network });
    const probe = newProbe();
    const response = await network.worker(mcpPost(mcpUrl(probe), flow.tokens.access_token));
    expect(response.status).toBe(200);
    const [record] = await standinRecords(probe);
    expect(record?.host).toBe("gateway.internal:9000");
    expect(record?.url).toBe(`/mcp?probe=${probe}`);
  });

  it("the gateway's listen names (GATEWAY_HOST, GATEWAY_PORT) do not move the Worker's target", async () => {
    const network = networkWithEnv({ GATEWAY_HOST: "0.0.0.0", GATEWAY_PORT: "9000" });
    const flow = await login({ network });
    const probe = newProbe();
    const response = await network.worker(mcpPost(mcpUrl(probe), flow.tokens.access_token));
    expect(response.status).toBe(200);
    const [record] = await standinRecords(probe);
    expect(record?.host).toBe(`${DEFAULT_GATEWAY_HOSTNAME}:${DEFAULT_GATEWAY_PORT}`);
  });
});
