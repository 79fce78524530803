/**
 * What a caller without a verified email may still send: the MCP handshake (MCP basic/lifecycle:
 * `initialize`, then `ping` to check liveness) and notifications. Everything else needs an email.
 */

/** JSON-RPC methods a caller without a verified email may still use: the handshake only. */
export const ANONYMOUS_METHODS = ["initialize", "ping"] as const;
/** Prefix of notifications, which a caller without a verified email may also send. */
export const NOTIFICATION_METHOD_PREFIX = "notifications/" as const;
