/**
 * What `npm start` prints once everything is ready: the MCP server URL and how to point MCP
 * Inspector (v2: web UI or CLI) and `mcp-remote` at it, and how the development sign-in works.
 */
import type { StackUrls } from "./stack";

/** The lines printed after the per-component ready lines. */
export function connectInstructions(urls: StackUrls, readyMs: number): string {
  const seconds = (readyMs / 1000).toFixed(1);
  return [
    "",
    `MCPbox Remote is running on this machine (ready in ${seconds} s).`,
    "",
    `  MCP server URL   ${urls.mcp}`,
    "",
    "Connect an MCP client to it:",
    `  MCP Inspector    npx @modelcontextprotocol/inspector --server-url ${urls.mcp} --transport http`,
    "                   then switch the server on in its web UI; or its command line:",
    `                   npx @modelcontextprotocol/inspector --cli ${urls.mcp} --method tools/list`,
    `  mcp-remote       npx mcp-remote ${urls.mcp}`,
    `                   (as an MCP client's stdio server: {"command": "npx", "args": ["mcp-remote", "${urls.mcp}"]})`,
    "",
    "The client opens a browser: approve the client on the consent page, then sign in at the",
    "development identity provider with any email address (no password; development only).",
    "Restrict who may call tools with MCPBOX_ALLOWED_EMAILS; see the README for every setting.",
    "",
    "Press Ctrl-C to stop everything.",
  ].join("\n");
}
