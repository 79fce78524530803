/**
 * The /mcp proxy through MCPBOX_TUNNEL to the gateway stand-in: which headers cross in each
 * direction, streaming both ways, gateway failures, CORS and Origin, tokens in the URL, path
 * tricks and methods. Each refusal also checks that nothing reached the gateway.
 */
import { SELF, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { HEALTH_BODY, JSONRPC_ERROR, MCP_HEADERS } from "@mcpbox/shared";
import { createRouter } from "../src/http/router";
import { createProviderCache } from "../src/oauth/provider";
import { createRefreshRecheck } from "../src/oauth/refresh-recheck";
import { JwksCache } from "../src/oidc/jwks-cache";
import { CORS_ALLOWED_REQUEST_HEADERS } from "../src/proxy/cors";
import { createMcpProxy } from "../src/proxy/mcp-proxy";
import { createBrowserRoutes } from "../src/routes/browser-routes";
import { TEST_EXTRA_CORS_ORIGIN, TEST_SERVICE_TOKEN } from "./helpers/harness-info";
import {
  ORIGIN,
  initializeBody,
  login,
  mcpPost,
  mcpUrl,
  newProbe,
  releaseStandinStream,
  standinEvent,
  standinRecords,
  uniqueEmail,
} from "./helpers/workerd/worker-harness";

let token = "";
let clientId = "";
let email = "";

beforeAll(async () => {
  email = uniqueEmail("proxy");
  const flow = await login({ email });
  token = flow.tokens.access_token;
  clientId = flow.client.client_id;
});

describe("headers towards the gateway", () => {
  it("forwards the MCP transport headers untouched and replaces everything the client says about identity", async () => {
    const probe = newProbe();
    const response = await SELF.fetch(
      mcpPost(mcpUrl(probe), token, {
        headers: {
          [MCP_HEADERS.sessionId]: "session-123",
          [MCP_HEADERS.protocolVersion]: "2025-11-25",
          [MCP_HEADERS.method]: "tools/call",
          [MCP_HEADERS.name]: "echo",
          [MCP_HEADERS.lastEventId]: "event-7",
          Cookie: "session=stolen",
          "X-MCPbox-Service-Token": "forged-token",
          "X-MCPBOX-USER-EMAIL": "admin@victim.example",
          "x-mcpbox-auth-method": "none",
          "X-MCPbox-Client-Id": "forged-client",
          "X-MCPbox-Admin": "true",
          "X-Forwarded-For": "10.0.0.1",
        },
        body: initializeBody("forwarded-body"),
      }),
    );
    expect(response.status).toBe(200);
    const [record] = await standinRecords(probe);
    const headers = record?.headers ?? {};
    expect(headers["mcp-session-id"]).toBe("session-123");
    expect(headers["mcp-protocol-version"]).toBe("2025-11-25");
    expect(headers["mcp-method"]).toBe("tools/call");
    expect(headers["mcp-name"]).toBe("echo");
    expect(headers["last-event-id"]).toBe("event-7");
    expect(headers.accept).toBe("application/json, text/event-stream");
    expect(headers["content-type"]).toBe("application/json");
    expect(JSON.parse(record?.body ?? "{}")).toMatchObject({ id: "forwarded-body", method: "initialize" });

    const mcpbox = Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith("x-mcpbox-")));
    expect(mcpbox).toEqual({
      "x-mcpbox-service-token": TEST_SERVICE_TOKEN,
      "x-mcpbox-user-email": email,
      "x-mcpbox-auth-method": "oidc",
      "x-mcpbox-client-id": clientId,
    });
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers["x-forwarded-for"]).toBeUndefined();
  });

  it("passes DELETE (session end) through with its session id", async () => {
    const probe = newProbe();
    const response = await SELF.fetch(
      new Request(mcpUrl(probe), { method: "DELETE", headers: { Authorization: `Bearer ${token}`, [MCP_HEADERS.sessionId]: "session-9" } }),
    );
    expect(response.status).toBe(200);
    const [record] = await standinRecords(probe);
    expect(record).toMatchObject({ method: "DELETE", body: "" });
    expect(record?.headers["mcp-session-id"]).toBe("session-9");
  });
});

describe("responses from the gateway", () => {
  it("return the session header but not the gateway's cookies or CORS headers", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe()), token));
    expect(response.headers.get(MCP_HEADERS.sessionId)).toBe("standin-session");
    expect(response.headers.get("Set-Cookie")).toBeNull();
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("stream SSE events as they come (the first arrives while the gateway still holds the stream open)", async () => {
    const probe = newProbe();
    const response = await SELF.fetch(new Request(mcpUrl(probe, { mode: "sse" }), { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    while (!received.includes("notifications/first")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended before the first event");
      received += value;
    }
    expect(received).not.toContain("notifications/second");
    await releaseStandinStream(probe);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    expect(received).toContain("notifications/second");
  });

  it("stream the request body to the gateway (the first chunk arrives before the client has finished)", async () => {
    const probe = newProbe();
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const pending = SELF.fetch(
      new Request(mcpUrl(probe, { mode: "stream-echo" }), { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: readable }),
    );
    void writer.write(encoder.encode('{"jsonrpc":"2.0",'));
    await standinEvent(probe, "first-chunk");
    void writer.write(encoder.encode('"id":1,"method":"ping"}'));
    void writer.close();
    const response = await pending;
    expect(await response.text()).toBe('received:{"jsonrpc":"2.0","id":1,"method":"ping"}');
  });

  it("a gateway 403 stays a 403 with the gateway's JSON-RPC body", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe(), { mode: "forbidden" }), token));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: JSONRPC_ERROR.forbidden, message: "forbidden by the gateway" } });
  });

  it("a gateway 401 becomes a 502, so the client does not start a pointless new sign-in", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe(), { mode: "unauthorized" }), token));
    expect(response.status).toBe(502);
    expect(response.headers.get("WWW-Authenticate")).toBeNull();
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: JSONRPC_ERROR.upstreamUnavailable } });
  });

  it("a gateway redirect becomes a 502 and its internal Location is not passed on", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe(), { mode: "redirect" }), token));
    expect(response.status).toBe(502);
    expect(response.headers.get("Location")).toBeNull();
  });

  it("an unreachable gateway gives a 502 JSON-RPC error", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe(), { mode: "drop" }), token));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string } };
    expect(body.jsonrpc).toBe("2.0");
    expect(body.error.code).toBe(JSONRPC_ERROR.upstreamUnavailable);
    expect(body.error.message).toContain("could not be reached through the tunnel");
  });

  it("a gateway that does not answer in time gives a 504 JSON-RPC error", async () => {
    // The production wiring (index.ts), with a short response timeout.
    const jwks = new JwksCache();
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const router = createRouter({
      providerFor: createProviderCache({
        apiHandler: createMcpProxy({ responseTimeoutMs: 300 }),
        defaultHandler: createBrowserRoutes({ jwks, nowSeconds }),
        tokenExchangeCallback: createRefreshRecheck({ jwks, nowSeconds }),
      }),
      nowSeconds: () => Math.floor(Date.now() / 1000),
    });
    const probe = newProbe();
    const ctx = createExecutionContext();
    const response = await router.fetch(mcpPost(mcpUrl(probe, { mode: "hang" }), token), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: { code: JSONRPC_ERROR.upstreamTimeout } });
    expect(await standinRecords(probe)).toHaveLength(1);
  });
});

describe("CORS and Origin", () => {
  it.each([["https://claude.ai"], ["https://chatgpt.com"], [TEST_EXTRA_CORS_ORIGIN]])("answers a preflight from %s with the MCP headers", async (origin) => {
    const response = await SELF.fetch(
      new Request(`${ORIGIN}/mcp`, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, mcp-session-id" } }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(origin);
    expect(response.headers.get("Vary")).toContain("Origin");
    const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").split(",").map((value) => value.trim());
    expect(allowed).toEqual([...CORS_ALLOWED_REQUEST_HEADERS]);
  });

  it("refuses a preflight from an origin that is not allowed", async () => {
    const response = await SELF.fetch(new Request(`${ORIGIN}/mcp`, { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } }));
    expect(response.status).toBe(403);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("lets an allowed browser origin read the answer and the session id", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe()), token, { headers: { Origin: "https://claude.ai" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://claude.ai");
    expect(response.headers.get("Access-Control-Expose-Headers")).toContain(MCP_HEADERS.sessionId);
    expect(response.headers.get("Vary")).toContain("Origin");
  });

  it("lets an allowed browser origin read a 401 and its challenge", async () => {
    const response = await SELF.fetch(mcpPost(mcpUrl(newProbe()), undefined, { headers: { Origin: "https://claude.ai" } }));
    expect(response.status).toBe(401);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://claude.ai");
    expect(response.headers.get("Access-Control-Expose-Headers")).toContain("WWW-Authenticate");
  });

  it("lets an allowed browser origin read the Worker's own errors too", async () => {
    const response = await SELF.fetch(new Request(mcpUrl(newProbe()), { method: "PUT", headers: { Origin: "https://claude.ai" }, body: "{}" }));
    expect(response.status).toBe(405);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://claude.ai");
  });

  it("refuses a request from a disallowed browser origin, even with a valid token, and proxies nothing", async () => {
    const probe = newProbe();
    const response = await SELF.fetch(mcpPost(mcpUrl(probe), token, { headers: { Origin: "https://evil.example" } }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: JSONRPC_ERROR.forbidden } });
    expect(response.headers.get("Vary")).toContain("Origin");
    expect(await standinRecords(probe)).toEqual([]);
  });
});

describe("requests that never reach the gateway", () => {
  it("a token in the query string is refused (even next to a valid header)", async () => {
    for (const withHeader of [false, true]) {
      const probe = newProbe();
      const response = await SELF.fetch(mcpPost(mcpUrl(probe, { extra: { access_token: token } }), withHeader ? token : undefined));
      expect(response.status).toBe(400);
      expect((await response.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining("Authorization header") } });
      expect(await standinRecords(probe)).toEqual([]);
    }
  });

  it.each([["/mcp/"], ["/mcp/extra"], ["/MCP"], ["//mcp"], ["/mcp/../admin"], ["/%2e%2e/admin"], ["/mcp%2f"], ["/mcp;x=1"], ["/.env"], ["/admin"]])(
    "%s is a 404 JSON answer, even with a valid token",
    async (path) => {
      const probe = newProbe();
      const response = await SELF.fetch(mcpPost(`${ORIGIN}${path}?probe=${probe}`, token));
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: "not_found" });
      expect(await standinRecords(probe)).toEqual([]);
    },
  );

  it("an unsupported method on /mcp is a 405 naming the allowed ones", async () => {
    const probe = newProbe();
    const response = await SELF.fetch(new Request(mcpUrl(probe), { method: "PUT", headers: { Authorization: `Bearer ${token}` }, body: "{}" }));
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST, GET, DELETE, OPTIONS");
    expect(await standinRecords(probe)).toEqual([]);
  });

  it("/health answers {\"status\":\"ok\"} and nothing more", async () => {
    const response = await SELF.fetch(`${ORIGIN}/health?probe=${newProbe()}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(HEALTH_BODY);
  });

  it("an invalid token gets 401 with the challenge and nothing proxied", async () => {
    const probe = newProbe();
    const response = await SELF.fetch(mcpPost(mcpUrl(probe), `${token.slice(0, -4)}AAAA`));
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(response.headers.get("WWW-Authenticate")).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
    expect(await standinRecords(probe)).toEqual([]);
  });
});
