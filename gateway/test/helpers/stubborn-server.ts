/**
 * A stdio MCP server (the SDK's McpServer) that does not stop when its stdin closes: its `hang`
 * tool never answers and keeps the process busy. Only a signal ends it, so a test can tell whether
 * the gateway really killed it. Run as a child process: `node --import tsx stubborn-server.ts`.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "stubborn-server", version: "1.0.0" });
server.registerTool("hang", { description: "Never answers" }, () => {
  process.stderr.write("hang started\n");
  return new Promise(() => undefined);
});
// Keeps the event loop alive after stdin has closed.
setInterval(() => undefined, 60_000);
await server.connect(new StdioServerTransport());
