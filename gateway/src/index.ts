/**
 * @mcpbox/gateway — the Node server the Cloudflare Tunnel delivers to. Used by `npm run gateway`,
 * the local dev stack and the end-to-end tests.
 */
export { ConfigError, loadConfig } from "./config";
export type { Env, GatewayConfig, UpstreamConfig } from "./config";
export { createGateway, startGateway } from "./server";
export type { Gateway, GatewayHandle, GatewayOptions } from "./server";
export { formatAuditLine } from "./audit";
export type { AuditEntry, AuditSink } from "./audit";
export { GatewayError } from "./errors";
export { PolicyFileError } from "./policy/runtime";
export type { GatewayErrorCode } from "./errors";
export { silentLogger, stderrLogger } from "./logger";
export type { Logger } from "./logger";
export type { StdioUpstream } from "./upstream/stdio";
export { defaultUpstreamCommand, everythingEntry } from "./upstream/default-command";
export type { Upstream } from "./upstream/types";
export { MAX_BATCH_MESSAGES, McpBody, parseMcpBody } from "./jsonrpc/message";
export type { JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse, ParseResult } from "./jsonrpc/message";
export { parseStrictJson } from "./jsonrpc/strict-json";
export type { JsonObject, JsonValue } from "./jsonrpc/strict-json";
