/**
 * A stdio MCP server (the SDK's McpServer with one `echo` tool) that appends its pid to the file
 * named by its first argument when it starts, so a test can count the children the gateway
 * spawned, however briefly they lived. Run as a child process:
 * `node --import tsx counting-server.ts <file>`.
 */
import { appendFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const file = process.argv[2];
if (file) appendFileSync(file, `${process.pid}\n`);
const server = new McpServer({ name: "counting-server", version: "1.0.0" });
server.registerTool("echo", { description: "Answers ok" }, () => ({ content: [{ type: "text", text: "ok" }] }));
await server.connect(new StdioServerTransport());
