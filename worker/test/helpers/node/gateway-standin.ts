/**
 * A stand-in for the MCPbox gateway, on 127.0.0.1: the MCPBOX_TUNNEL service binding points at it.
 * It records every request (per `probe` query value) and behaves as `?mode=` asks: JSON answer,
 * an SSE stream released by the test, a streamed echo, 401/403, a hang or a dropped connection.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { StandinMode, StandinRecord } from "../harness-info";

export interface GatewayStandin {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the stand-in. */
export async function startGatewayStandin(): Promise<GatewayStandin> {
  const records = new Map<string, StandinRecord[]>();
  const events = new Map<string, Set<string>>();
  const waiters = new Map<string, Array<() => void>>();
  const releases = new Map<string, () => void>();

  const signal = (probe: string, event: string) => {
    let set = events.get(probe);
    if (!set) events.set(probe, (set = new Set()));
    set.add(event);
    const key = `${probe}\u0000${event}`;
    for (const wake of waiters.get(key) ?? []) wake();
    waiters.delete(key);
  };
  const waitFor = (probe: string, event: string) =>
    new Promise<void>((resolve) => {
      if (events.get(probe)?.has(event)) return resolve();
      const key = `${probe}\u0000${event}`;
      waiters.set(key, [...(waiters.get(key) ?? []), resolve]);
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://standin");
    const probe = url.searchParams.get("probe") ?? "";
    if (url.pathname.startsWith("/__standin/")) return control(url, probe, req, res);

    const record: StandinRecord = { method: req.method ?? "", url: req.url ?? "", host: req.headers.host ?? "", headers: flatHeaders(req), body: "" };
    const list = records.get(probe) ?? [];
    list.push(record);
    records.set(probe, list);
    const mode = (url.searchParams.get("mode") ?? "json") as StandinMode;

    if (mode === "drop") {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      if (chunks.length === 0) signal(probe, "first-chunk");
      chunks.push(chunk);
    });
    req.on("end", () => {
      record.body = Buffer.concat(chunks).toString("utf8");
      signal(probe, "request-complete");
      respond(mode, probe, record, res);
    });
  });

  function respond(mode: StandinMode, probe: string, record: StandinRecord, res: http.ServerResponse): void {
    switch (mode) {
      case "hang":
        return;
      case "forbidden":
        res.writeHead(403, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "forbidden by the gateway" } }));
        return;
      case "unauthorized":
        res.writeHead(401, { "Content-Type": "application/json", "WWW-Authenticate": 'Bearer realm="gateway"' });
        res.end(JSON.stringify({ error: "bad service token" }));
        return;
      case "redirect":
        res.writeHead(302, { Location: "http://mcp-gateway:8002/elsewhere" }).end();
        return;
      case "stream-echo":
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end(`received:${record.body}`);
        return;
      case "sse": {
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "Mcp-Session-Id": "standin-session" });
        res.write('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/first"}\n\n');
        releases.set(probe, () => {
          res.end('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/second"}\n\n');
        });
        signal(probe, "sse-open");
        return;
      }
      default: {
        const message = parseMessage(record.body);
        if (message.id === undefined && typeof message.method === "string") {
          // A notification (e.g. notifications/initialized): accepted, no body.
          res.writeHead(202).end();
          return;
        }
        const result =
          message.method === "initialize"
            ? { protocolVersion: message.protocolVersion ?? "2025-11-25", capabilities: {}, serverInfo: { name: "gateway-standin", version: "1.0.0" } }
            : { ok: true };
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Mcp-Session-Id": "standin-session",
          "MCP-Protocol-Version": "2025-11-25",
          "Set-Cookie": "gateway_session=leak; Path=/",
          "Access-Control-Allow-Origin": "*",
        });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id ?? null, result }));
      }
    }
  }

  function control(url: URL, probe: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case "/__standin/requests":
        return json(200, records.get(probe) ?? []);
      case "/__standin/release": {
        const release = releases.get(probe);
        releases.delete(probe);
        release?.();
        return json(release ? 200 : 404, { released: Boolean(release) });
      }
      case "/__standin/wait": {
        const event = url.searchParams.get("event") ?? "";
        req.on("close", () => undefined);
        void waitFor(probe, event).then(() => json(200, { event }));
        return;
      }
      default:
        return json(404, {});
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function flatHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The JSON-RPC id, method and requested protocol version of a request body (empty when unparsable). */
function parseMessage(body: string): { id?: unknown; method?: unknown; protocolVersion?: string } {
  try {
    const message = JSON.parse(body) as { id?: unknown; method?: unknown; params?: { protocolVersion?: unknown } };
    const version = message.params?.protocolVersion;
    return { id: message.id, method: message.method, ...(typeof version === "string" ? { protocolVersion: version } : {}) };
  } catch {
    return {};
  }
}
