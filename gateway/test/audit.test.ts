/**
 * The audit log: one JSON line per request with who, which client, which method and tool, which
 * session, the outcome, duration and bytes; never arguments, results or tokens. Refusals are
 * logged too, with the gateway's reason, and without the identity the caller merely claimed.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEWAY_ENV, MCPBOX_HEADERS, MCP_HEADERS } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCP_POST_HEADERS, SERVICE_TOKEN, initializeBody, startTestGateway, toolCallBody } from "./helpers/gateway";
import type { TestGateway } from "./helpers/gateway";
import { formatAuditLine } from "../src/audit";
import type { AuditEntry } from "../src/audit";
import { rawRequest } from "./helpers/raw-http";
import { startRecordingUpstream } from "./helpers/recording-upstream";
import type { RecordingUpstream } from "./helpers/recording-upstream";

const SECRET_ARGUMENT = "argument-value-that-must-not-be-logged";
const SECRET_RESULT = "result-value-that-must-not-be-logged";
let upstream: RecordingUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  let opened = 0;
  upstream = await startRecordingUpstream((req, res, body) => {
    // A stateful server: initialize opens a session, every other answer echoes it.
    const session = body.includes('"initialize"') ? `sess-${++opened}` : req.headers[MCP_HEADERS.sessionId.toLowerCase()];
    res.writeHead(200, {
      "content-type": "application/json",
      ...(typeof session === "string" ? { [MCP_HEADERS.sessionId]: session } : {}),
    });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: SECRET_RESULT }] } }));
  });
  gateway = await startTestGateway({ [GATEWAY_ENV.upstreamUrl]: upstream.url });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
const digest = (session: string) => createHash("sha256").update(session).digest("hex").slice(0, 16);

async function openSession(email: string): Promise<string> {
  const response = await rawRequest({
    port: gateway.port,
    method: "POST",
    headers: { ...gateway.headers(email), ...MCP_POST_HEADERS },
    body: initializeBody(),
  });
  return response.headers[MCP_HEADERS.sessionId.toLowerCase()] as string;
}

describe("audit log", () => {
  it("writes one line per tools/call with who, what and how it went, and nothing secret", async () => {
    const session = await openSession("frank@example.com");
    const before = gateway.auditLines.length;
    const body = toolCallBody("echo", { message: SECRET_ARGUMENT });
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: {
        ...gateway.headers("frank@example.com"),
        ...MCP_POST_HEADERS,
        [MCPBOX_HEADERS.clientId]: "claude-ai-client",
        [MCP_HEADERS.sessionId]: session,
      },
      body,
    });
    expect(response.text).toContain(SECRET_RESULT);
    const lines = await gateway.waitForAudit(before + 1);
    const line = lines[before] as string;
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trim().split("\n")).toHaveLength(1);
    const entry = parse(line);
    expect(Object.keys(entry)).toEqual([
      "time",
      "email",
      "clientId",
      "httpMethod",
      "method",
      "tool",
      "session",
      "status",
      "durationMs",
      "bytesIn",
      "bytesOut",
      "error",
    ]);
    expect(entry).toMatchObject({
      email: "frank@example.com",
      clientId: "claude-ai-client",
      httpMethod: "POST",
      method: "tools/call",
      tool: "echo",
      session: digest(session),
      status: 200,
      bytesIn: Buffer.byteLength(body),
      error: null,
    });
    expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
    expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expect(entry.bytesOut).toBeGreaterThan(Buffer.byteLength(response.text));
    for (const secret of [SECRET_ARGUMENT, SECRET_RESULT, SERVICE_TOKEN, session]) expect(line).not.toContain(secret);
  });

  it("logs a refused request with the reason and without the email it claimed", async () => {
    const before = gateway.auditLines.length;
    const response = await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: {
        ...MCP_POST_HEADERS,
        [MCPBOX_HEADERS.serviceToken]: "wrong".repeat(10),
        [MCPBOX_HEADERS.userEmail]: "mallory@example.com",
      },
      body: toolCallBody("echo", { message: SECRET_ARGUMENT }),
    });
    expect(response.status).toBe(403);
    const entry = parse((await gateway.waitForAudit(before + 1))[before] as string);
    expect(entry).toMatchObject({ email: null, clientId: null, method: null, status: 403, error: "token_invalid" });
    expect(gateway.auditLines[before]).not.toContain("wrong".repeat(10));
  });

  it("logs paths outside the allowlist", async () => {
    const before = gateway.auditLines.length;
    await rawRequest({ port: gateway.port, path: "/mcp/../admin" });
    expect(parse((await gateway.waitForAudit(before + 1))[before] as string)).toMatchObject({
      httpMethod: "GET",
      status: 404,
      error: "not_found",
    });
  });

  it("records the methods and tools of a batch", async () => {
    const before = gateway.auditLines.length;
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: SECRET_ARGUMENT } } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get-sum", arguments: { a: 1, b: 2 } } },
      { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } },
    ]);
    await rawRequest({
      port: gateway.port,
      method: "POST",
      headers: { ...gateway.headers("frank@example.com"), ...MCP_POST_HEADERS },
      body: batch,
    });
    const entry = parse((await gateway.waitForAudit(before + 1))[before] as string);
    expect(entry).toMatchObject({ method: "tools/call,tools/call,notifications/progress", tool: "echo,get-sum", session: null });
  });

  it("records the session an initialize created, as a digest", async () => {
    const before = gateway.auditLines.length;
    const session = await openSession("frank@example.com");
    const line = (await gateway.waitForAudit(before + 1))[before] as string;
    expect(parse(line)).toMatchObject({ method: "initialize", session: digest(session) });
    expect(line).not.toContain(session);
  });

  it("appends to MCPBOX_AUDIT_LOG, readable by its owner only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcpbox-audit-"));
    const path = join(dir, "audit.jsonl");
    try {
      const { loadConfig, startGateway, silentLogger } = await import("../src/index");
      const config = loadConfig({
        [GATEWAY_ENV.serviceToken]: SERVICE_TOKEN,
        [GATEWAY_ENV.port]: "0",
        [GATEWAY_ENV.upstreamUrl]: upstream.url,
        [GATEWAY_ENV.auditLog]: path,
      });
      const fileGateway = await startGateway(config, { log: silentLogger });
      await rawRequest({ port: fileGateway.port, path: "/health" });
      await rawRequest({ port: fileGateway.port, path: "/nope" });
      await fileGateway.close();
      const lines = (await readFile(path, "utf8")).trim().split("\n").map(parse);
      expect(lines.map((l) => l.status)).toEqual([200, 404]);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("an audit line's text", () => {
  const base: AuditEntry = {
    time: "2026-11-27T10:00:00.123Z",
    email: "ana@example.com",
    clientId: "client-1",
    httpMethod: "POST",
    method: "tools/call",
    tool: "echo",
    session: "0123456789abcdef",
    status: 200,
    durationMs: 1.25,
    bytesIn: 133,
    bytesOut: 412,
    error: null,
  };
  // What the line must equal: JSON.stringify of exactly these fields in this order.
  const reference = (entry: AuditEntry) => {
    const { decision, rule, ...fields } = entry;
    const ordered = {
      time: fields.time,
      email: fields.email,
      clientId: fields.clientId,
      httpMethod: fields.httpMethod,
      method: fields.method,
      tool: fields.tool,
      session: fields.session,
      status: fields.status,
      durationMs: fields.durationMs,
      bytesIn: fields.bytesIn,
      bytesOut: fields.bytesOut,
      error: fields.error,
    };
    return `${JSON.stringify(decision ? { ...ordered, decision, rule: rule ?? null } : ordered)}\n`;
  };
  const awkward = [
    'a "quoted" tool',
    "back\\slash",
    "line\nbreak\ttab\u0000nul\u001f",
    "\u007f delete and é, 日本, 🙂",
    "lone \ud800 surrogate \udfff",
    "</script>",
    "",
  ];

  it("is what JSON.stringify makes of the fields, whatever the strings and numbers hold", () => {
    for (const text of awkward) {
      for (const entry of [
        { ...base, email: text, clientId: text, tool: text, method: text },
        { ...base, clientId: null, tool: null, session: null, error: "upstream_failed" as const, durationMs: 0.1 + 0.2 },
        { ...base, status: 0, durationMs: Number.NaN, bytesIn: -0, bytesOut: 2 ** 53 + 2 },
        { ...base, tool: text, decision: "refused" as const, rule: text },
        { ...base, decision: "rate_limited" as const, rule: undefined },
        { ...base, decision: null, rule: "ignored without a decision" },
      ]) {
        const line = formatAuditLine(entry);
        expect(line).toBe(reference(entry));
        expect(JSON.parse(line)).toEqual(JSON.parse(reference(entry)));
      }
    }
  });

  it("writes every duration as JSON.stringify does, rounded to hundredths or not", () => {
    const durations = [0.01, 0.05, 0.1, 0.5, 1, 1.25, 2.1, 12.07, 99.99, 1234.5, 0.1 + 0.2, 1e-7, 1e21, 123456789.01, 2 ** 60, -1.5];
    for (let hundredths = 0; hundredths <= 200_000; hundredths += 7) durations.push(Math.round(hundredths * 1.013) / 100);
    for (let i = 0; i < 2000; i++) durations.push(Math.random() * 10 ** ((i % 12) - 3));
    for (const durationMs of durations) {
      const entry = { ...base, durationMs };
      expect(formatAuditLine(entry)).toBe(reference(entry));
    }
  });
});
