/**
 * Tool-policy test helpers: policy files in a temporary folder, raw MCP sessions that send any
 * JSON-RPC body (batches included) and read every message of the answer, JSON or SSE, and a
 * clock the test moves by hand.
 */
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MCP_HEADERS } from "@mcpbox/shared";
import { MCP_POST_HEADERS, initializeBody } from "./gateway";
import type { TestGateway } from "./gateway";
import { rawRequest } from "./raw-http";
import type { RawResponse } from "./raw-http";

export interface PolicyDir {
  readonly path: string;
  /** Replaces the file the way editors do: write a temporary file, rename it over the old one. */
  write(text: string): Promise<void>;
  remove(): Promise<void>;
}

export async function policyDir(text: string, name = "policy.yaml"): Promise<PolicyDir> {
  const dir = await mkdtemp(join(tmpdir(), "mcpbox-policy-"));
  const path = join(dir, name);
  await writeFile(path, text);
  let n = 0;
  return {
    path,
    write: async (next) => {
      const temporary = join(dir, `.${name}.${n++}.tmp`);
      await writeFile(temporary, next);
      await rename(temporary, path);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A clock for rate limits: starts at an arbitrary instant, moves only when told. */
export function manualClock(): { now: () => number; advance(ms: number): void } {
  let at = 1_800_000_000_000;
  return { now: () => at, advance: (ms) => void (at += ms) };
}

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: string | number | null;
  method?: string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
  params?: Record<string, unknown>;
}

/** Every JSON-RPC message of a response body: a JSON value or array, or the data of SSE events. */
export function messagesOf(response: RawResponse): RpcMessage[] {
  const type = String(response.headers["content-type"] ?? "");
  if (type.startsWith("text/event-stream")) {
    return response.text
      .split(/\r?\n\r?\n/)
      .map((event) =>
        event
          .split(/\r?\n/)
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n"),
      )
      .filter((data) => data.length > 0)
      .map((data) => JSON.parse(data) as RpcMessage);
  }
  if (response.json === undefined) return [];
  return (Array.isArray(response.json) ? response.json : [response.json]) as RpcMessage[];
}

export interface RawSession {
  readonly id: string;
  /** The headers of a request in this session. */
  readonly headers: Record<string, string>;
  post(body: unknown): Promise<{ response: RawResponse; messages: RpcMessage[] }>;
  /** The answer to request `id` of a body. */
  call(method: string, params: Record<string, unknown>): Promise<RpcMessage>;
}

/** Initializes an MCP session with raw requests, as `email` through the gateway. */
export async function openRawSession(gateway: TestGateway, email: string, protocolVersion = "2025-06-18"): Promise<RawSession> {
  const headers = { ...gateway.headers(email), ...MCP_POST_HEADERS, [MCP_HEADERS.protocolVersion]: protocolVersion };
  const init = await rawRequest({ port: gateway.port, method: "POST", headers, body: initializeBody(1, protocolVersion) });
  const id = init.headers[MCP_HEADERS.sessionId.toLowerCase()];
  if (typeof id !== "string") throw new Error(`no session id: HTTP ${init.status} ${init.text}`);
  const sessionHeaders = { ...headers, [MCP_HEADERS.sessionId]: id };
  await rawRequest({
    port: gateway.port,
    method: "POST",
    headers: sessionHeaders,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  let next = 100;
  const post = async (body: unknown) => {
    const response = await rawRequest({ port: gateway.port, method: "POST", headers: sessionHeaders, body: JSON.stringify(body) });
    return { response, messages: messagesOf(response) };
  };
  return {
    id,
    headers: sessionHeaders,
    post,
    call: async (method, params) => {
      const requestId = next++;
      const { response, messages } = await post({ jsonrpc: "2.0", id: requestId, method, params });
      const answer = messages.find((m) => m.id === requestId);
      if (!answer) throw new Error(`no answer to ${method}: HTTP ${response.status} ${response.text}`);
      return answer;
    },
  };
}

/** The audit lines (parsed) written so far. */
export function auditEntries(gateway: TestGateway): Record<string, unknown>[] {
  return gateway.auditLines.map((line) => JSON.parse(line) as Record<string, unknown>);
}
