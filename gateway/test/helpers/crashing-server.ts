/**
 * A stdio MCP server (the SDK's McpServer) whose `crash` tool kills its own process before it
 * answers: the gateway must turn that into a clear JSON-RPC error, not a hang.
 * Run as a child process: `node --import tsx crashing-server.ts`.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "crashing-server", version: "1.0.0" });
server.registerTool("crash", { description: "Exits the process without answering" }, () => {
  process.exit(3);
});
await server.connect(new StdioServerTransport());
