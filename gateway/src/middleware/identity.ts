/**
 * Identity and authorization. `X-MCPbox-User-Email` (set by the Worker from a verified id_token)
 * must be a valid address on `MCPBOX_ALLOWED_EMAILS`, else 403. Without an email only the
 * handshake is allowed (initialize and ping requests, notifications/* notifications). Decisions
 * read the parsed JSON-RPC body, every message of a batch, never the advisory
 * `Mcp-Method`/`Mcp-Name` headers.
 */
import { MCPBOX_HEADERS, isEmailAllowed, isValidEmail } from "@mcpbox/shared";
import type { EmailAllowlist } from "@mcpbox/shared";
import type { Identity } from "../context";
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";
import { ANONYMOUS_METHODS, NOTIFICATION_METHOD_PREFIX } from "../jsonrpc/handshake-methods";
import type { JsonRpcMessage, McpBody } from "../jsonrpc/message";

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; code: "email_invalid" | "email_not_allowed"; message: string };

const ANONYMOUS: Identity = Object.freeze({ kind: "anonymous" });
const ANONYMOUS_SET: ReadonlySet<string> = new Set(ANONYMOUS_METHODS);

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

const STREAM_NEEDS_IDENTITY = refusal(
  "stream_needs_identity",
  "This gateway offers no server-to-client stream without a verified email; requests other than the handshake need one too",
);

/**
 * For callers without an email: refuses every body that holds anything but the handshake (the
 * whole body, so nothing of it reaches the upstream) and the server-to-client GET stream. Pure.
 */
export function checkAnonymousMethods(method: string, body: McpBody | undefined): Refusal | undefined {
  if (method === "GET") return STREAM_NEEDS_IDENTITY;
  if (method !== "POST" || !body) return undefined;
  const { messages, batch } = body;
  const refused = messages.filter((m) => !isAnonymousAllowed(m));
  if (refused.length === 0) return undefined;
  const names = [...new Set(refused.map((m) => m.method ?? "a response"))].join(", ");
  const message = `Forbidden: ${names} requires a verified email address. Your login did not include one, so this server allows only initialize, ping and notifications.`;
  const ids = messages.filter((m) => m.kind === "request").map((m) => m.id);
  // A body with requests gets JSON-RPC errors carrying their ids; one without gets a plain 403.
  return refusal("identity_required", message, ids.length > 0 ? { ids, batch } : { status: 403 });
}
