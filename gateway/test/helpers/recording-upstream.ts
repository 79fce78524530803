/**
 * A stand-in upstream that records every request it receives (method, headers, body) and answers
 * with a handler chosen by the test. Tests of refusals assert that it received nothing.
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let sessionsOpened = 0;

/**
 * Answers every POST with a JSON-RPC result echoing the request id, and GET/DELETE with 200. Like
 * a stateful MCP server, it opens a session with a fresh id on `initialize` and echoes the
 * client's session id on every other answer.
 */
export const jsonResultHandler: UpstreamHandler = (req, res, body) => {
  let message: { id?: unknown; method?: unknown } = {};
  try {
    message = JSON.parse(body) as typeof message;
  } catch {
    message = {};
  }
  const session = message.method === "initialize" ? `upstream-session-${++sessionsOpened}` : req.headers["mcp-session-id"];
  res.writeHead(200, { "content-type": "application/json", ...(session ? { "mcp-session-id": session } : {}) });
  res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id ?? null, result: { ok: true } }));
};

export interface RecordingUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[];
  handler: UpstreamHandler;
  close(): Promise<void>;
}

export async function startRecordingUpstream(handler: UpstreamHandler = jsonResultHandler): Promise<RecordingUpstream> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const upstream: RecordingUpstream = {
    url: "",
    requests,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      upstream.handler(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  (upstream as { url: string }).url = `http://127.0.0.1:${port}/mcp`;
  return upstream;
}
