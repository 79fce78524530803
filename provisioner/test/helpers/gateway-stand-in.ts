/**
 * A stand-in for the local gateway as the provisioner sees it from outside: /health answers
 * {"status":"ok"}, and /mcp answers 403 unless X-MCPbox-Service-Token is one of the tokens it
 * "runs with" (like the real gateway, which accepts `current,previous` during a rotation).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MCPBOX_HEADERS } from "@mcpbox/shared";

export interface GatewayStandIn {
  port: number;
  /** The tokens it accepts; change to simulate a restart with a new env file. */
  tokens: string[];
  /** Tokens seen on /mcp, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startGatewayStandIn(tokens: string[]): Promise<GatewayStandIn> {
  const state: Omit<GatewayStandIn, "port" | "close"> = { tokens, seen: [] };
  const server: Server = createServer((req, res) => {
    req.resume();
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
      return;
    }
    if (req.url === "/mcp" && req.method === "POST") {
      const token = String(req.headers[MCPBOX_HEADERS.serviceToken.toLowerCase()] ?? "");
      state.seen.push(token);
      if (!state.tokens.includes(token)) {
        res
          .writeHead(403, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "forbidden" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
