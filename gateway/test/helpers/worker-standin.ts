/**
 * What the Worker adds, for tools that cannot set headers (the MCP conformance suite): a loopback
 * HTTP proxy in front of the gateway that forwards only the MCP transport headers (as the Worker
 * does), adds the service token and a verified email, and streams the answer back unchanged.
 * Test-only; the real Worker does much more.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { MCPBOX_HEADERS, MCP_TRANSPORT_REQUEST_HEADERS } from "@mcpbox/shared";

const FORWARDED = MCP_TRANSPORT_REQUEST_HEADERS.map((name) => name.toLowerCase());

export interface StandIn {
  readonly url: string;
  close(): Promise<void>;
}

export async function startWorkerStandIn(gatewayUrl: string, serviceToken: string, email: string): Promise<StandIn> {
  const target = new URL(gatewayUrl);
  const server = createServer((incoming, outgoing) => {
    const headers: Record<string, string | string[]> = {
      host: target.host,
      [MCPBOX_HEADERS.serviceToken]: serviceToken,
      [MCPBOX_HEADERS.userEmail]: email,
    };
    for (const name of [...FORWARDED, "content-length", "transfer-encoding"]) {
      const value = incoming.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", () => outgoing.destroy());
    outgoing.on("close", () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
