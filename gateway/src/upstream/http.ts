/**
 * Relay to a Streamable HTTP MCP server. Forwards only the MCP transport headers (plus the
 * verified email), never the service token, cookies or Authorization; streams the response back
 * unbuffered over a keep-alive connection pool (undici). Unreachable → 502, no response headers
 * within the timeout → 504, an upstream 5xx, 3xx or 401 → 502; none of them leak the upstream's
 * own error body.
 */
import { MCPBOX_HEADERS, MCP_HEADERS, MCP_TRANSPORT_REQUEST_HEADERS } from "@mcpbox/shared";
import { Agent, request } from "undici";
import { GatewayError } from "../errors";
import type { Logger } from "../logger";
import type { UpstreamReply } from "../reply";
import type { RelayRequest, Upstream } from "./types";

export interface HttpUpstreamOptions {
  url: URL;
  timeoutMs: number;
  log: Logger;
}

const FORWARDED_REQUEST_HEADERS = MCP_TRANSPORT_REQUEST_HEADERS.map((name) => name.toLowerCase());
const USER_EMAIL_HEADER = MCPBOX_HEADERS.userEmail.toLowerCase();
// Response headers relayed to the client; the body is relayed byte for byte, so its framing too.
const RELAYED_RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "cache-control",
  MCP_HEADERS.sessionId.toLowerCase(),
  MCP_HEADERS.protocolVersion.toLowerCase(),
  "allow",
  "retry-after",
];
// How long an idle keep-alive connection to the upstream is kept.
const KEEP_ALIVE_MS = 30_000;

/** Describes an upstream URL for logs: origin and path, never query or credentials. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Builds the relay to a Streamable HTTP upstream at `url`. */
export function createHttpUpstream(options: HttpUpstreamOptions): Upstream {
  const { url, timeoutMs, log } = options;
  const dispatcher = new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, connect: { timeout: timeoutMs } });

  async function handle(relay: RelayRequest): Promise<UpstreamReply> {
    const incoming = relay.request.headers;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = incoming.get(name);
      if (value !== null) headers[name] = value;
    }
    if (relay.identity.kind === "user") headers[USER_EMAIL_HEADER] = relay.identity.email;
    const signal = relay.request.signal;

    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: relay.method,
        headers,
        body: relay.method === "POST" ? relay.bodyBytes : undefined,
        dispatcher,
        signal,
        headersTimeout: timeoutMs,
        // A stream may stay quiet for as long as the client keeps it open.
        bodyTimeout: 0,
      });
    } catch (error) {
      const reason = causeCode(error);
      if (reason === "UND_ERR_HEADERS_TIMEOUT") {
        throw new GatewayError("upstream_timeout", `Upstream timeout: the MCP server did not answer within ${timeoutMs} ms`, { cause: error });
      }
      if (!signal.aborted) log.warn(`upstream ${relay.method} failed: ${reason}`);
      throw new GatewayError("upstream_unreachable", `Upstream unreachable: the gateway could not reach the MCP server (${reason})`, { cause: error });
    }

    const status = response.statusCode;
    if (status >= 500 || status === 401 || (status >= 300 && status < 400)) {
      await response.body.dump().catch(() => undefined);
      const why = status === 401 ? "demanded authentication the gateway does not forward" : "failed";
      log.warn(`upstream answered HTTP ${status} to ${relay.method}`);
      throw new GatewayError("upstream_failed", `Upstream error: the MCP server ${why} (HTTP ${status})`);
    }

    const out: Record<string, string> = {};
    for (const name of RELAYED_RESPONSE_HEADERS) {
      const value = response.headers[name];
      if (typeof value === "string") out[name] = value;
    }
    return { status, headers: out, body: response.body };
  }

  return {
    description: `Streamable HTTP ${describeUrl(url)}`,
    handle,
    close: () => dispatcher.destroy(),
  };
}

/** A short, secret-free reason for a failed request (e.g. ECONNREFUSED). */
function causeCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : "unknown error";
}
