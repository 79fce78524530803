/**
 * The floor of a Node relay, for the benchmark only (never product code): a bare `node:http`
 * server that checks the service token, buffers the request body, forwards it through a
 * keep-alive agent and pipes the answer back. No Host/Origin check, no identity, no limits, no
 * parse, no audit log: what any Node relay costs at the least, so the gateway's CPU per call and
 * added latency can be shown as multiples of it.
 *
 *   node --import tsx gateway/bench/bare-relay.ts <upstream /mcp URL> <service token>
 *
 * Prints `ready on http://127.0.0.1:<port>` on stderr once it listens (port chosen by the system).
 */
import { timingSafeEqual } from "node:crypto";
import { Agent, createServer, request } from "node:http";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { MCPBOX_HEADERS, MCP_TRANSPORT_REQUEST_HEADERS } from "@mcpbox/shared";

const [upstreamArg, token] = process.argv.slice(2);
if (!upstreamArg || !token) {
  process.stderr.write("usage: bare-relay.ts <upstream /mcp URL> <service token>\n");
  process.exit(2);
}
const upstream = new URL(upstreamArg);
const expected = Buffer.from(token);
const TOKEN_HEADER = MCPBOX_HEADERS.serviceToken.toLowerCase();
const EMAIL_HEADER = MCPBOX_HEADERS.userEmail.toLowerCase();
const FORWARDED = [...MCP_TRANSPORT_REQUEST_HEADERS.map((h) => h.toLowerCase()), EMAIL_HEADER];
const agent = new Agent({ keepAlive: true });

function tokenMatches(presented: string | string[] | undefined): boolean {
  if (typeof presented !== "string") return false;
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function forwardedHeaders(incoming: IncomingHttpHeaders, length: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name of FORWARDED) {
    const value = incoming[name];
    if (value !== undefined) headers[name] = value;
  }
  if (length > 0) headers["content-length"] = length;
  return headers;
}

const server = createServer((req, res) => {
  if (!tokenMatches(req.headers[TOKEN_HEADER])) {
    res.writeHead(403, { "content-type": "application/json" }).end('{"error":"forbidden"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: upstream.pathname,
        method: req.method,
        agent,
        headers: forwardedHeaders(req.headers, body.length),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => {
      if (!res.writableFinished) out.destroy();
    });
    out.end(body);
  });
});
server.keepAliveTimeout = 95_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`ready on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
