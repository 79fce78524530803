/**
 * Keepalive comments on SSE streams, against real parts: a quiet stream gets `: keepalive` between
 * its events and never inside one, over the HTTP relay, the stdio bridge (server-everything) and
 * the web Response path; the MCP SDK client reads straight through them; other responses are
 * untouched; 0 turns them off. "Time has passed" is shown by a witness stream's own comments.
 */
import { GATEWAY_ENV, MCP_HEADERS } from "@mcpbox/shared";
import type { ServerResponse } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { DEFAULT_GATEWAY_SSE_KEEPALIVE_MS } from "../src/config-defaults";
import { acceptsKeepalive } from "../src/sse-keepalive";
import { ConfigError, loadConfig, silentLogger } from "../src/index";
import { createUpstream } from "../src/server";
import { MCP_POST_HEADERS, SERVICE_TOKEN, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { everythingStdioCommand } from "./helpers/processes";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";
import { KEEPALIVE, countKeepalives, gate, openRawStream, rawStreamFromWeb } from "./helpers/sse-stream";
import type { RawStream } from "./helpers/sse-stream";

const INTERVAL_MS = "50";
const EMAIL = "kim@example.com";
const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const event = (eol: string, n: number) =>
  `event: message${eol}data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":${n}}}${eol}${eol}`;

let upstream: RecordingUpstream;
let gateway: TestGateway;
let witness: RawStream;
/** What the upstream does with a POST; GET streams are held open and silent (the witness). */
let onPost: (res: ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  upstream = await startRecordingUpstream((req, res) => {
    if (req.method !== "GET") return onPost(res);
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
  });
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.sseKeepaliveMs]: INTERVAL_MS });
  witness = await openRawStream({ port: gateway.port, method: "GET", headers: { ...gateway.headers(EMAIL), accept: "text/event-stream" } });
});
afterAll(async () => {
  witness?.close();
  await gateway?.close();
  await upstream?.close();
});

/** Resolves once the witness stream got `n` more comments: at least n - 1 intervals went by. */
async function intervalsPass(n = 3): Promise<void> {
  const start = countKeepalives(witness.text());
  await witness.waitFor((text) => countKeepalives(text) >= start + n);
}

const post = (port: number, headers: Record<string, string>) =>
  openRawStream({ port, method: "POST", headers: { ...headers, ...MCP_POST_HEADERS }, body: toolCallBody("slow", {}) });

describe("a quiet SSE stream from an HTTP upstream", () => {
  it("gives a silent GET stream a comment every interval and nothing else", async () => {
    expect(witness.status).toBe(200);
    const text = await witness.waitFor((t) => countKeepalives(t) >= 3);
    expect(text).toBe(KEEPALIVE.repeat(countKeepalives(text)));
  });

  const splits = [
    { name: "LF, split inside a line", eol: "\n", at: (e: string) => e.indexOf('"progress":') },
    { name: "CRLF, split before the blank line", eol: "\r\n", at: (e: string) => e.length - 2 },
    { name: "CRLF, split inside a CRLF", eol: "\r\n", at: (e: string) => e.length - 3 },
    { name: "CR only, split before the blank line", eol: "\r", at: (e: string) => e.length - 1 },
  ];
  it.each(splits)("puts comments between events, none inside one the upstream sent in two writes ($name)", async ({ eol, at }) => {
    const [first, second] = [event(eol, 1), event(eol, 2)];
    const [partA, partB] = [second.slice(0, at(second)), second.slice(at(second))];
    const afterSilence = gate();
    const afterSplit = gate();
    onPost = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(first);
      void afterSilence.opened.then(() => res.write(partA));
      void afterSplit.opened.then(() => res.end(partB));
    };
    const stream = await post(gateway.port, gateway.headers(EMAIL));
    expect(stream.headers["content-type"]).toBe("text/event-stream");
    await stream.waitFor((text) => text.startsWith(first) && countKeepalives(text) >= 3);
    afterSilence.open();
    await stream.waitFor((text) => text.includes(partA));
    // The split event stays open for several intervals: a comment would be due, but must wait.
    await intervalsPass(3);
    afterSplit.open();
    const text = await stream.ended;
    expect(text).toMatch(new RegExp(`^${esc(first)}(?:${esc(KEEPALIVE)}){3,}${esc(second)}(?:${esc(KEEPALIVE)})*$`));
  });

  it("drops a byte order mark that would follow its comment (only a leading one is skipped)", async () => {
    const release = gate();
    onPost = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      void release.opened.then(() => res.end(`\uFEFF${event("\n", 1)}`));
    };
    const stream = await post(gateway.port, gateway.headers(EMAIL));
    await stream.waitFor((text) => countKeepalives(text) >= 1);
    release.open();
    expect(await stream.ended).toMatch(new RegExp(`^(?:${esc(KEEPALIVE)})+${esc(event("\n", 1))}$`));
  });

  it("adds comments on the web Response path too", async () => {
    const config = loadConfig({
      [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
      [GATEWAY_ENV.upstreamUrl]: upstream.url,
      [GATEWAY_ENV.sseKeepaliveMs]: INTERVAL_MS,
    });
    const relay = await createUpstream(config, silentLogger);
    const app = createApp({ config, upstream: relay, log: silentLogger });
    const [first, second] = [event("\n", 1), event("\n", 2)];
    const afterSilence = gate();
    const afterSplit = gate();
    onPost = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(first);
      void afterSilence.opened.then(() => res.write(second.slice(0, 20)));
      void afterSplit.opened.then(() => res.end(second.slice(20)));
    };
    try {
      const headers = { host: "localhost:8002", ...gateway.headers(EMAIL), ...MCP_POST_HEADERS };
      const response = await app.request("http://localhost:8002/mcp", { method: "POST", headers, body: toolCallBody("slow", {}) });
      const stream = rawStreamFromWeb(response);
      await stream.waitFor((text) => text.startsWith(first) && countKeepalives(text) >= 2);
      afterSilence.open();
      await stream.waitFor((text) => text.includes(second.slice(0, 20)));
      await intervalsPass(3);
      afterSplit.open();
      expect(await stream.ended).toMatch(new RegExp(`^${esc(first)}(?:${esc(KEEPALIVE)}){2,}${esc(second)}(?:${esc(KEEPALIVE)})*$`));
    } finally {
      await relay.close();
    }
  });
});

describe("responses that get no comment", () => {
  const cases = [
    { name: "a JSON response", headers: { "content-type": "application/json" }, parts: ["", '{"jsonrpc":"2.0","id":2,"result":{}}'] },
    {
      name: "an SSE body with a Content-Length",
      headers: { "content-type": "text/event-stream" },
      parts: [event("\n", 1), event("\n", 2)],
      sized: true,
    },
  ];
  it.each(cases)("leaves $name as the upstream sent it, however long it is quiet", async ({ headers, parts, sized }) => {
    const release = gate();
    const whole = parts.join("");
    onPost = (res) => {
      res.writeHead(200, sized ? { ...headers, "content-length": Buffer.byteLength(whole) } : headers);
      if (parts[0]) res.write(parts[0]);
      else res.flushHeaders();
      void release.opened.then(() => res.end(parts[1]));
    };
    const stream = await post(gateway.port, gateway.headers(EMAIL));
    await stream.waitFor((text) => text === parts[0]);
    await intervalsPass(3);
    release.open();
    expect(await stream.ended).toBe(whole);
  });

  it("adds none when GATEWAY_SSE_KEEPALIVE_MS is 0", async () => {
    const quiet = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.sseKeepaliveMs]: "0" });
    try {
      const release = gate();
      onPost = (res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(event("\n", 1));
        void release.opened.then(() => res.end(event("\n", 2)));
      };
      const stream = await post(quiet.port, quiet.headers(EMAIL));
      await stream.waitFor((text) => text === event("\n", 1));
      await intervalsPass(3);
      release.open();
      expect(await stream.ended).toBe(event("\n", 1) + event("\n", 2));
    } finally {
      await quiet.close();
    }
  });
});

describe("a reply whose upstream sent its head and then nothing", () => {
  // Keepalive off, so no comment carries the head out: only the gateway's own flush can.
  it.each(["text/event-stream", "application/json"])(
    "shows the client its status and headers before the first body byte (%s)",
    async (type) => {
      const quiet = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url, [GATEWAY_ENV.sseKeepaliveMs]: "0" });
      const release = gate();
      try {
        onPost = (res) => {
          res.writeHead(200, { "content-type": type });
          res.flushHeaders();
          void release.opened.then(() => res.end(type === "application/json" ? "{}" : event("\n", 1)));
        };
        // Resolves on the response's head: the body is held back until the gate opens.
        const stream = await post(quiet.port, quiet.headers(EMAIL));
        expect(stream.status).toBe(200);
        expect(stream.headers["content-type"]).toBe(type);
        expect(stream.text()).toBe("");
        release.open();
        expect(await stream.ended).toBe(type === "application/json" ? "{}" : event("\n", 1));
      } finally {
        release.open();
        await quiet.close();
      }
    },
  );
});

describe("a slow tool of a stdio server (server-everything)", () => {
  let stdio: TestGateway;
  beforeAll(async () => {
    stdio = await startTestGateway({ [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand(), [GATEWAY_ENV.sseKeepaliveMs]: INTERVAL_MS });
  });
  afterAll(async () => {
    await stdio?.close();
  });
  // Three steps of 200 ms: each gap between progress notifications spans several intervals.
  const slowCall = { name: "trigger-long-running-operation", arguments: { duration: 0.6, steps: 3 } };
  const resultText = "Long running operation completed. Duration: 0.6 seconds, Steps: 3.";

  /** The blocks of an SDK server's stream, each checked to be a whole event or a comment. */
  function blocksOf(raw: string): string[] {
    const blocks = raw.split("\n\n").filter(Boolean);
    for (const block of blocks) expect(block).toMatch(/^(?:: keepalive|event: message\n(?:id: [^\n]+\n)?data: \{[^\n]*\})$/);
    expect(raw.endsWith("\n\n")).toBe(true);
    return blocks;
  }

  /** The SDK client with its fetch tapped: the test reads the very bytes the SDK's SSE parser reads. */
  async function tappedClient() {
    const tapped: { method: string; request: string; stream: RawStream }[] = [];
    let getOpened!: (stream: RawStream) => void;
    const getStream = new Promise<RawStream>((resolve) => (getOpened = resolve));
    const tappingFetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
      const response = await fetch(url, init);
      if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) return response;
      const [forClient, forTest] = response.body.tee();
      const stream = rawStreamFromWeb(new Response(forTest));
      const method = init?.method ?? "GET";
      tapped.push({ method, request: typeof init?.body === "string" ? init.body : "", stream });
      if (method === "GET") getOpened(stream);
      return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
    const transport = new StreamableHTTPClientTransport(new URL("/mcp", stdio.url), {
      requestInit: { headers: stdio.headers(EMAIL) },
      fetch: tappingFetch,
    });
    const client = new Client({ name: "keepalive-test", version: "1.0.0" });
    await client.connect(transport);
    return { client, transport, tapped, getStream };
  }

  it("completes through the SDK client, whose own stream carried the comments", async () => {
    const { client, transport, tapped } = await tappedClient();
    try {
      const progress: number[] = [];
      const result = await client.callTool(slowCall, undefined, { onprogress: (p) => void progress.push(p.progress) });
      expect(progress).toEqual([1, 2, 3]);
      expect(result.content).toEqual([{ type: "text", text: resultText }]);

      const raw = (await tapped.find((t) => t.request.includes(slowCall.name))?.stream.ended) ?? "";
      expect(countKeepalives(raw)).toBeGreaterThanOrEqual(3);
      expect(blocksOf(raw).filter((b) => b.includes("notifications/progress"))).toHaveLength(3);

      // The same call, fetched raw without a progress token: 600 ms of silence, then the answer.
      const response = await fetch(new URL("/mcp", stdio.url), {
        method: "POST",
        headers: { ...stdio.headers(EMAIL), ...MCP_POST_HEADERS, [MCP_HEADERS.sessionId]: transport.sessionId ?? "" },
        body: toolCallBody(slowCall.name, slowCall.arguments, 77),
      });
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      const text = await response.text();
      const match = new RegExp(`^(?:${esc(KEEPALIVE)}){3,}event: message\\n(?:id: [^\\n]+\\n)?data: (\\{[^\\n]*\\})\\n\\n$`).exec(text);
      expect(match, text).not.toBeNull();
      expect(JSON.parse(match?.[1] ?? "null")).toEqual({
        jsonrpc: "2.0",
        id: 77,
        result: { content: [{ type: "text", text: resultText }] },
      });
    } finally {
      await client.close();
    }
  });

  it("keeps the session's GET stream alive with comments", async () => {
    const { client, getStream } = await tappedClient();
    try {
      const get = await getStream;
      expect(get.status).toBe(200);
      const text = await get.waitFor((t) => countKeepalives(t) >= 2);
      expect(blocksOf(text)).toContain(": keepalive");
    } finally {
      await client.close();
    }
  });
});

describe("GATEWAY_SSE_KEEPALIVE_MS", () => {
  const base = { [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN, [GATEWAY_ENV.upstreamUrl]: "http://127.0.0.1:3001/mcp" };
  const problemsOf = (value: string): readonly string[] => {
    try {
      loadConfig({ ...base, [GATEWAY_ENV.sseKeepaliveMs]: value });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it("defaults to 25 s and accepts 0 (off) and whole milliseconds below Cloudflare's 100 s", () => {
    expect(DEFAULT_GATEWAY_SSE_KEEPALIVE_MS).toBe(25_000);
    expect(loadConfig(base).sseKeepaliveMs).toBe(25_000);
    for (const value of ["0", "10", "50", "99999"])
      expect(loadConfig({ ...base, [GATEWAY_ENV.sseKeepaliveMs]: value }).sseKeepaliveMs).toBe(Number(value));
  });

  it.each(["soon", "-1", "2.5", "5", "100000"])("refuses %s, naming the variable, the range and why", (value) => {
    expect(problemsOf(value)).toEqual([
      `GATEWAY_SSE_KEEPALIVE_MS must be 0 (off) or whole milliseconds from 10 to 99999, got "${value}" (Cloudflare cuts a stream that stays quiet for about 100 s; the default is 25000)`,
    ]);
  });
});

describe("which answers take keepalive comments", () => {
  it("an event stream with any case, parameters or spacing; nothing with a fixed length, a coding or another type", () => {
    const takes = (headers: Record<string, string>) => acceptsKeepalive(headers);
    for (const type of [
      "text/event-stream",
      "Text/Event-Stream",
      " text/event-stream ",
      "text/event-stream; charset=utf-8",
      "text/event-stream ;x=1",
      "\t text/event-stream\t; charset=utf-8",
    ])
      expect(takes({ "content-type": type }), type).toBe(true);
    for (const type of [
      "text/event-streams",
      "text/event-stream x",
      "text/event",
      "application/json",
      "",
      "text/event-stream\u00a0",
      " \t ",
      ";text/event-stream",
    ])
      expect(takes({ "content-type": type }), JSON.stringify(type)).toBe(false);
    expect(takes({})).toBe(false);
    expect(takes({ "content-type": "text/event-stream", "content-length": "10" })).toBe(false);
    expect(takes({ "content-type": "text/event-stream", "content-encoding": "gzip" })).toBe(false);
    expect(takes({ "content-type": "text/event-stream", "content-encoding": "identity" })).toBe(true);
  });
});
