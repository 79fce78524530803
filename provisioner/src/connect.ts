/**
 * Ready-to-paste client configuration for the MCP URL: claude.ai (custom connector), ChatGPT
 * (developer-mode connector), Cursor (`~/.cursor/mcp.json`), MCP Inspector, and `mcp-remote` (for
 * clients that only speak stdio). The CLI prints these lines; the web wizard shows the same values.
 */
import { WORKER_PATHS } from "@mcpbox/shared";

export interface ClientConfigs {
  mcpUrl: string;
  claudeAi: string;
  chatgpt: string;
  cursor: { mcpServers: Record<string, { url: string }> };
  /** The command that opens MCP Inspector's web UI (v2) with this server listed. */
  inspector: string;
  mcpRemote: { mcpServers: Record<string, { command: string; args: string[] }> };
}

/** The MCP endpoint of a Worker. */
export function mcpUrlOf(workerUrl: string): string {
  return `${workerUrl.replace(/\/+$/, "")}${WORKER_PATHS.mcp}`;
}

export function clientConfigs(workerUrl: string, serverName = "mcpbox"): ClientConfigs {
  const mcpUrl = mcpUrlOf(workerUrl);
  return {
    mcpUrl,
    claudeAi: `Settings → Connectors → Add custom connector → URL: ${mcpUrl}`,
    chatgpt: `Settings → Apps & Connectors → Advanced settings → turn on Developer mode; then Create → MCP server URL: ${mcpUrl}, Authentication: OAuth`,
    cursor: { mcpServers: { [serverName]: { url: mcpUrl } } },
    inspector: `npx @modelcontextprotocol/inspector --server-url ${mcpUrl} --transport http`,
    mcpRemote: { mcpServers: { [serverName]: { command: "npx", args: ["-y", "mcp-remote", mcpUrl] } } },
  };
}

/** The same, as lines for the terminal. */
export function formatClientConfigs(configs: ClientConfigs): string[] {
  return [
    `MCP URL: ${configs.mcpUrl}`,
    "",
    `claude.ai: ${configs.claudeAi}`,
    "",
    `ChatGPT: ${configs.chatgpt}`,
    "",
    "Cursor (~/.cursor/mcp.json):",
    ...JSON.stringify(configs.cursor, null, 2).split("\n"),
    "",
    `MCP Inspector: ${configs.inspector}`,
    "",
    "Claude Desktop and other stdio-only clients, through mcp-remote:",
    ...JSON.stringify(configs.mcpRemote, null, 2).split("\n"),
  ];
}
