/**
 * The header filters of the /mcp proxy, run in workerd on its own Headers: what a hostile or
 * careless gateway sends back never reaches the client (cookies, hop-by-hop headers, CORS, auth
 * challenges, X-MCPbox-* internals), and what a client forges never reaches the gateway. The
 * end-to-end versions through the stand-in gateway are in proxy.test.ts.
 */
import { describe, expect, it } from "vitest";
import { AUTH_METHOD_OIDC, MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import { clientResponseHeaders, gatewayRequestHeaders } from "../src/proxy/forward-headers";

describe("response headers from the gateway", () => {
  it("drop cookies, hop-by-hop headers, CORS, challenges and X-MCPbox-* names, and keep the rest as sent", () => {
    const upstream = new Headers({
      "Content-Type": "text/event-stream",
      [MCP_HEADERS.sessionId]: "session-1",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "Keep-Alive": "timeout=5",
      "Transfer-Encoding": "chunked",
      "WWW-Authenticate": 'Bearer realm="gateway"',
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Credentials": "true",
      "X-MCPbox-Service-Token": "leaked-service-token",
      "X-MCPbox-Internal-Note": "gateway internals",
    });
    upstream.append("Set-Cookie", "a=1; Path=/");
    upstream.append("Set-Cookie", "b=2; Path=/");
    upstream.append("Link", "<https://example.com/a>; rel=a");
    upstream.append("Link", "<https://example.com/b>; rel=b");

    expect(Object.fromEntries(clientResponseHeaders(upstream))).toEqual({
      "cache-control": "no-cache",
      "content-type": "text/event-stream",
      link: "<https://example.com/a>; rel=a, <https://example.com/b>; rel=b",
      "mcp-session-id": "session-1",
    });
    expect(clientResponseHeaders(upstream).getSetCookie()).toEqual([]);
  });

  it("leave the headers they copy from as they were", () => {
    const upstream = new Response("", { headers: { "Set-Cookie": "a=1", "Content-Type": "application/json" } }).headers;
    clientResponseHeaders(upstream);
    expect(upstream.get("Set-Cookie")).toBe("a=1");
  });
});

describe("request headers towards the gateway", () => {
  it("carry only the MCP transport allowlist, with the Worker's identity replacing anything forged", () => {
    const incoming = new Headers({
      Authorization: "Bearer client-token",
      Cookie: "session=1",
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      [MCP_HEADERS.sessionId]: "session-1",
      "X-MCPbox-Service-Token": "forged",
      "X-MCPbox-User-Email": "admin@example.com",
      "X-MCPbox-Admin": "true",
      "X-Forwarded-For": "10.0.0.1",
    });
    const out = gatewayRequestHeaders(incoming, { serviceToken: "real-token", clientId: "client-1", email: "user@example.com" });
    expect(Object.fromEntries(out)).toEqual({
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-session-id": "session-1",
      [MCPBOX_HEADERS.serviceToken.toLowerCase()]: "real-token",
      [MCPBOX_HEADERS.authMethod.toLowerCase()]: AUTH_METHOD_OIDC,
      [MCPBOX_HEADERS.clientId.toLowerCase()]: "client-1",
      [MCPBOX_HEADERS.userEmail.toLowerCase()]: "user@example.com",
    });
  });
});
