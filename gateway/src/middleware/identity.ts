/**
 * Identity and authorization. `X-MCPbox-User-Email` (set by the Worker from a verified id_token)
 * must be a valid address on `MCPBOX_ALLOWED_EMAILS`, else 403. Without an email only the
 * handshake is allowed (initialize and ping requests, notifications/* notifications). Decisions
 * read the parsed JSON-RPC body, every message of a batch, never the advisory
 * `Mcp-Method`/`Mcp-Name` headers.
 */
import { MCPBOX_HEADERS, MCP_HEADERS, isEmailAllowed, isValidEmail } from "@mcpbox/shared";
import type { EmailAllowlist } from "@mcpbox/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv, Identity } from "../context";
import { ANONYMOUS_METHODS, NOTIFICATION_METHOD_PREFIX } from "../jsonrpc/handshake-methods";
import type { JsonRpcMessage } from "../jsonrpc/message";
import { refuse } from "./refuse";

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; code: "email_invalid" | "email_not_allowed"; message: string };

const ANONYMOUS: Identity = Object.freeze({ kind: "anonymous" });
const ANONYMOUS_SET: ReadonlySet<string> = new Set(ANONYMOUS_METHODS);
// Audit field limit for the Worker-supplied client id.
const MAX_CLIENT_ID_LENGTH = 200;

/** Resolves the caller from the email header against the allowlist. Pure. */
export function resolveIdentity(emailHeader: string | undefined, allowlist: EmailAllowlist): IdentityResult {
  if (emailHeader === undefined) return { ok: true, identity: ANONYMOUS };
  if (!isValidEmail(emailHeader)) {
    return {
      ok: false,
      code: "email_invalid",
      message: `Forbidden: ${MCPBOX_HEADERS.userEmail} is not a valid email address of at most 254 characters`,
    };
  }
  if (!isEmailAllowed(allowlist, emailHeader)) {
    return {
      ok: false,
      code: "email_not_allowed",
      message: `Forbidden: ${emailHeader} is not allowed to use this MCP server; ask its owner to add you to MCPBOX_ALLOWED_EMAILS`,
    };
  }
  return { ok: true, identity: { kind: "user", email: emailHeader } };
}

/**
 * True when a caller without an email may send this message: an initialize or ping request, or a
 * notification. Only a message without an id is a notification (JSON-RPC 2.0 §4.1): a request
 * whose method merely starts with "notifications/" still expects an answer and is refused. Pure.
 */
export function isAnonymousAllowed(message: JsonRpcMessage): boolean {
  if (message.kind === "request") return ANONYMOUS_SET.has(message.method);
  return message.kind === "notification" && message.method.startsWith(NOTIFICATION_METHOD_PREFIX);
}

/** Checks the email header; a valid, allowed email or none at all passes to the next step. */
export function identityGuard(allowlist: EmailAllowlist): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const result = resolveIdentity(c.req.header(MCPBOX_HEADERS.userEmail), allowlist);
    const audit = c.env?.audit;
    if (audit) {
      const clientId = c.req.header(MCPBOX_HEADERS.clientId);
      audit.clientId = clientId ? clientId.slice(0, MAX_CLIENT_ID_LENGTH) : null;
      audit.session = c.req.header(MCP_HEADERS.sessionId) ?? null;
      if (result.ok && result.identity.kind === "user") audit.email = result.identity.email;
    }
    if (!result.ok) return refuse(c, result.code, result.message);
    c.set("identity", result.identity);
    await next();
  };
}

/**
 * For callers without an email: refuses every body that holds anything but the handshake (the
 * whole body, so nothing of it reaches the upstream) and the server-to-client GET stream.
 */
export function methodGuard(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (c.var.identity.kind === "user") return next();
    if (c.req.method === "GET") {
      return refuse(
        c,
        "stream_needs_identity",
        "This gateway offers no server-to-client stream without a verified email; requests other than the handshake need one too",
      );
    }
    if (c.req.method !== "POST") return next();
    const { messages, batch } = c.var.body;
    const refused = messages.filter((m) => !isAnonymousAllowed(m));
    if (refused.length === 0) return next();
    const names = [...new Set(refused.map((m) => m.method ?? "a response"))].join(", ");
    const message = `Forbidden: ${names} requires a verified email address. Your login did not include one, so this server allows only initialize, ping and notifications.`;
    const ids = messages.filter((m) => m.kind === "request").map((m) => m.id);
    // A body with requests gets JSON-RPC errors carrying their ids; one without gets a plain 403.
    return refuse(c, "identity_required", message, ids.length > 0 ? { ids, batch } : { status: 403 });
  };
}
