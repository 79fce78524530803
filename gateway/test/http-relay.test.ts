/**
 * The Streamable HTTP relay against a recording stand-in: which headers cross in each direction,
 * SSE flowing unbuffered, GET streams and DELETE, and the upstream failures a user must see as a
 * clear 502/504 instead of a hang or the upstream's own error page.
 */
import { request } from "node:http";
import type { ClientRequest, IncomingMessage } from "node:http";
import { GATEWAY_ENV, MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { freePort } from "@mcpbox/dev/test-kit/node";
import { errorMessage, rawRequest } from "./helpers/raw-http";
import { jsonResultHandler, startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

const EMAIL = "erin@example.com";
let upstream: RecordingUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.upstreamTimeoutMs]: "300" });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.handler = jsonResultHandler;
});

const lower = (name: string) => name.toLowerCase();

/** Opens a session in the gateway's name for EMAIL (sessions are bound to who opened them). */
async function openSession(): Promise<string> {
  const response = await rawRequest({
    port: gateway.port,
    method: "POST",
    headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS },
    body: initializeBody(),
  });
  upstream.requests.length = 0;
  return response.headers[lower(MCP_HEADERS.sessionId)] as string;
}

/** A POST to the gateway's /mcp as EMAIL through Node's client, for tests that pace the body or read the answer as it streams. */
function mcpPost(onResponse: (res: IncomingMessage) => void): ClientRequest {
  return request(
    { host: "127.0.0.1", port: gateway.port, method: "POST", path: "/mcp", headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS } },
    onResponse,
  );
}

describe("headers", () => {
  it("forwards the MCP transport headers and the verified email, and nothing else of the caller's", async () => {
    const session = await openSession();
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: {
        ...gateway.headers(EMAIL),
        ...MCP_POST_HEADERS,
        [MCPBOX_HEADERS.clientId]: "client-123",
        [MCP_HEADERS.sessionId]: session,
        [MCP_HEADERS.protocolVersion]: "2025-06-18",
        [MCP_HEADERS.method]: "tools/call",
        [MCP_HEADERS.name]: "echo",
        authorization: "Bearer user-oauth-token",
        cookie: "sid=secret",
        "x-forwarded-for": "203.0.113.9",
      },
      body: toolCallBody("echo", { message: "hi" }),
    });
    expect(response.status).toBe(200);
    const seen = upstream.requests[0]?.headers ?? {};
    expect(seen[lower(MCPBOX_HEADERS.serviceToken)]).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(SERVICE_TOKEN);
    expect(seen[lower(MCPBOX_HEADERS.userEmail)]).toBe(EMAIL);
    expect(seen[lower(MCP_HEADERS.sessionId)]).toBe(session);
    expect(seen[lower(MCP_HEADERS.protocolVersion)]).toBe("2025-06-18");
    expect(seen[lower(MCP_HEADERS.method)]).toBe("tools/call");
    expect(seen[lower(MCP_HEADERS.name)]).toBe("echo");
    expect(seen.accept).toBe(MCP_POST_HEADERS.accept);
    expect(seen["content-type"]).toBe("application/json");
    for (const name of ["authorization", "cookie", "x-forwarded-for", lower(MCPBOX_HEADERS.clientId)]) expect(seen[name]).toBeUndefined();
    expect(upstream.requests[0]?.body).toBe(toolCallBody("echo", { message: "hi" }));
  });

  it("returns the upstream's session and protocol headers, and not its others", async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        [MCP_HEADERS.sessionId]: "from-upstream",
        [MCP_HEADERS.protocolVersion]: "2025-06-18",
        "set-cookie": "upstream=1",
        server: "upstream/1.0",
      });
      res.end('{"jsonrpc":"2.0","id":2,"result":{}}');
    };
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS },
      body: initializeBody(),
    });
    expect(response.headers[lower(MCP_HEADERS.sessionId)]).toBe("from-upstream");
    expect(response.headers[lower(MCP_HEADERS.protocolVersion)]).toBe("2025-06-18");
    expect(response.headers["set-cookie"]).toBeUndefined();
    expect(response.headers.server).toBeUndefined();
    expect(response.text).toBe('{"jsonrpc":"2.0","id":2,"result":{}}');
  });

  it("relays a GET stream with Last-Event-ID, and DELETE", async () => {
    const id = await openSession();
    upstream.handler = (req, res) => {
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end('id: 8\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');
      } else {
        res.writeHead(200);
        res.end();
      }
    };
    const session = { [MCP_HEADERS.sessionId]: id };
    const get = await rawRequest({
      port: gateway.port,
      method: "GET",
      headers: { ...gateway.headers(EMAIL), ...session, accept: "text/event-stream", [MCP_HEADERS.lastEventId]: "7" },
    });
    expect(get.status).toBe(200);
    expect(get.headers["content-type"]).toBe("text/event-stream");
    expect(get.text).toContain("notifications/tools/list_changed");
    const del = await rawRequest({ port: gateway.port, method: "DELETE", headers: { ...gateway.headers(EMAIL), ...session } });
    expect(del.status).toBe(200);
    expect(
      upstream.requests.map((r) => [r.method, r.headers[lower(MCP_HEADERS.lastEventId)], r.headers[lower(MCP_HEADERS.sessionId)]]),
    ).toEqual([
      ["GET", "7", id],
      ["DELETE", undefined, id],
    ]);
  });
});

describe("streaming", () => {
  it("delivers each SSE event before the upstream writes the next one", async () => {
    let releaseSecond!: () => void;
    const secondAllowed = new Promise<void>((resolve) => (releaseSecond = resolve));
    upstream.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\n\n');
      // The second event is written only after the client has read the first through the gateway.
      void secondAllowed.then(() => res.end('data: {"jsonrpc":"2.0","id":2,"result":{}}\n\n'));
    };
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = mcpPost((res) => {
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          received.push(chunk);
          if (chunk.includes("notifications/progress")) releaseSecond();
        });
        res.on("end", resolve);
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(toolCallBody("slow", {}));
    });
    const text = received.join("");
    expect(text.indexOf("notifications/progress")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('"result"')).toBeGreaterThan(text.indexOf("notifications/progress"));
  });
});

describe("request bodies", () => {
  // Most bodies arrive with their request's head and are taken whole; these come in pieces.
  it("relays a body whose pieces arrive apart, byte for byte as sent", async () => {
    const body = toolCallBody("echo", { message: "in pieces ✓" });
    const cut = [body.slice(0, 7), body.slice(7, 40), body.slice(40)];
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = mcpPost((res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.flushHeaders();
      let next = 0;
      const sendNext = () => {
        const piece = cut[next++];
        if (piece === undefined) return void req.end();
        req.write(piece);
        setTimeout(sendNext, 30);
      };
      setTimeout(sendNext, 30);
    });
    expect(answer.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(JSON.parse(upstream.requests[0]?.body ?? "")).toEqual(JSON.parse(body));
  });
});

describe("upstream failures", () => {
  const call = () =>
    rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers(EMAIL), ...MCP_POST_HEADERS },
      body: toolCallBody("echo", {}),
    });

  it("answers 504 with a JSON-RPC error when the upstream does not answer in time", async () => {
    upstream.handler = () => undefined;
    const response = await call();
    expect(response.status).toBe(504);
    expect(errorMessage(response)).toBe("Upstream timeout: the MCP server did not answer within 300 ms");
    expect((response.json as { error: { code: number } }).error.code).toBe(-32003);
  });

  it("answers 502 and hides the upstream's own error body when it fails", async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("TypeError: secret stack trace at /srv/app.js:12");
    };
    const response = await call();
    expect(response.status).toBe(502);
    expect(errorMessage(response)).toBe("Upstream error: the MCP server failed (HTTP 500)");
    expect(response.text).not.toContain("stack trace");
  });

  it("answers 502, not 401, when the upstream demands authentication", async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="upstream"' });
      res.end();
    };
    const response = await call();
    expect(response.status).toBe(502);
    expect(response.headers["www-authenticate"]).toBeUndefined();
    expect(errorMessage(response)).toBe("Upstream error: the MCP server demanded authentication the gateway does not forward (HTTP 401)");
  });

  it("answers 502 with a JSON-RPC error when the upstream is unreachable", async () => {
    const port = await freePort();
    const lonely = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: `http://127.0.0.1:${port}/mcp` });
    try {
      const response = await rawRequest({
        port: lonely.port,
        method: "POST",
        headers: { ...lonely.headers(EMAIL), ...MCP_POST_HEADERS },
        body: toolCallBody("echo", {}),
      });
      expect(response.status).toBe(502);
      expect(errorMessage(response)).toBe("Upstream unreachable: the gateway could not reach the MCP server (ECONNREFUSED)");
      expect((response.json as { error: { code: number } }).error.code).toBe(-32002);
    } finally {
      await lonely.close();
    }
  });
});
