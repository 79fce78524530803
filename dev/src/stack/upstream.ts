/**
 * The local stack's default MCP server: the gateway's own default (server-everything over stdio).
 */
export { defaultUpstreamCommand, everythingEntry } from "@mcpbox/gateway";
