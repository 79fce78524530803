/**
 * The MCP SDK's own client over Streamable HTTP, pointed at the gateway with the headers the
 * Worker would add.
 */
import { GATEWAY_PATHS } from "@mcpbox/shared";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export interface ConnectedClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

export async function connectClient(gatewayUrl: string, headers: Record<string, string>): Promise<ConnectedClient> {
  const transport = new StreamableHTTPClientTransport(new URL(GATEWAY_PATHS.mcp, gatewayUrl), { requestInit: { headers } });
  const client = new Client({ name: "gateway-test-client", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}
