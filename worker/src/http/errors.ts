/**
 * Every failure the Worker answers itself, as one class with a typed `code`, and the single place
 * that turns it into a response: JSON (OAuth style), JSON-RPC (on /mcp) or an HTML page (browser
 * routes). Unknown errors become a generic 500; details go to the log, never to the client.
 */
import { JSONRPC_ERROR, jsonRpcError } from "@mcpbox/shared";
import { renderPage, htmlResponse } from "./html";
import { describeError, logEvent, type LogFields } from "./log";

export type WorkerErrorCode =
  | "not_found"
  | "method_not_allowed"
  | "origin_not_allowed"
  | "token_in_query"
  | "config_missing"
  | "config_invalid"
  | "authorization_invalid"
  | "client_unknown"
  | "consent_invalid"
  | "consent_forged"
  | "login_expired"
  | "upstream_denied"
  | "upstream_error"
  | "upstream_unreachable"
  | "id_token_invalid"
  | "email_missing"
  | "email_not_allowed"
  | "gateway_unreachable"
  | "gateway_timeout"
  | "gateway_rejected"
  | "rate_limited"
  | "body_too_large"
  | "unsupported_media_type"
  | "invalid_client_metadata"
  | "internal_error";

/** How one code looks on the wire: its HTTP status, its page title and its JSON-RPC error code. */
interface WireShape {
  status: number;
  /** The heading of the HTML page on browser routes. */
  title: string;
  /** The JSON-RPC error code on /mcp. */
  rpc: number;
}

const FAILED = "Request failed";
const ACCESS_FAILED = "Sign-in with Cloudflare Access failed";
const EXPIRED = "This sign-in page has expired";
const DENIED = "Access denied";
const APP_INVALID = "This app's sign-in request is not valid";
const NOT_CONFIGURED = "Server not configured";

/**
 * The one map from code to wire; a new code does not compile until it has a row here. Only the
 * router and the proxy answer on /mcp, so the codes of browser and OAuth routes keep the generic
 * JSON-RPC internal error; pages without a specific title say "Request failed".
 */
const WIRE: Record<WorkerErrorCode, WireShape> = {
  not_found: { status: 404, title: FAILED, rpc: JSONRPC_ERROR.invalidRequest },
  method_not_allowed: { status: 405, title: FAILED, rpc: JSONRPC_ERROR.invalidRequest },
  origin_not_allowed: { status: 403, title: FAILED, rpc: JSONRPC_ERROR.forbidden },
  token_in_query: { status: 400, title: FAILED, rpc: JSONRPC_ERROR.invalidRequest },
  config_missing: { status: 503, title: NOT_CONFIGURED, rpc: JSONRPC_ERROR.internalError },
  config_invalid: { status: 503, title: NOT_CONFIGURED, rpc: JSONRPC_ERROR.internalError },
  authorization_invalid: { status: 400, title: APP_INVALID, rpc: JSONRPC_ERROR.internalError },
  client_unknown: { status: 400, title: APP_INVALID, rpc: JSONRPC_ERROR.internalError },
  consent_invalid: { status: 400, title: EXPIRED, rpc: JSONRPC_ERROR.internalError },
  consent_forged: { status: 403, title: "Request refused", rpc: JSONRPC_ERROR.internalError },
  login_expired: { status: 400, title: EXPIRED, rpc: JSONRPC_ERROR.internalError },
  upstream_denied: { status: 403, title: DENIED, rpc: JSONRPC_ERROR.internalError },
  upstream_error: { status: 502, title: ACCESS_FAILED, rpc: JSONRPC_ERROR.internalError },
  upstream_unreachable: { status: 502, title: ACCESS_FAILED, rpc: JSONRPC_ERROR.internalError },
  id_token_invalid: { status: 502, title: ACCESS_FAILED, rpc: JSONRPC_ERROR.internalError },
  email_missing: { status: 403, title: DENIED, rpc: JSONRPC_ERROR.internalError },
  email_not_allowed: { status: 403, title: DENIED, rpc: JSONRPC_ERROR.internalError },
  gateway_unreachable: { status: 502, title: FAILED, rpc: JSONRPC_ERROR.upstreamUnavailable },
  gateway_timeout: { status: 504, title: FAILED, rpc: JSONRPC_ERROR.upstreamTimeout },
  gateway_rejected: { status: 502, title: FAILED, rpc: JSONRPC_ERROR.upstreamUnavailable },
  // RFC 6585 §4.
  rate_limited: { status: 429, title: "Too many attempts", rpc: JSONRPC_ERROR.internalError },
  body_too_large: { status: 413, title: "Request too large", rpc: JSONRPC_ERROR.internalError },
  unsupported_media_type: { status: 415, title: FAILED, rpc: JSONRPC_ERROR.internalError },
  // RFC 7591 §3.2.2.
  invalid_client_metadata: { status: 400, title: FAILED, rpc: JSONRPC_ERROR.internalError },
  internal_error: { status: 500, title: FAILED, rpc: JSONRPC_ERROR.internalError },
};

export interface WorkerErrorOptions {
  /** What the person should check next; shown on pages and in `error_description`. */
  hint?: string;
  /** Extra response headers (`Allow`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  /** A validated OAuth error redirect back to the MCP client, offered as a link on pages. */
  returnTo?: string;
  /** Server-side detail for the log line; must not contain secrets. */
  log?: LogFields;
}

/** A failure with a stable code and a message that is safe to show; its status comes from the code. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  readonly status: number;
  readonly options: WorkerErrorOptions;

  constructor(code: WorkerErrorCode, message: string, options: WorkerErrorOptions = {}) {
    super(message);
    this.name = "WorkerError";
    this.code = code;
    this.status = WIRE[code].status;
    this.options = options;
  }
}

/** A Worker setting is missing or malformed. The setting's name goes to the log only. */
export class ConfigError extends WorkerError {
  readonly setting: string;
  /** Why the value was refused (never the value itself for secrets). */
  readonly reason: string | undefined;

  constructor(setting: string, problem: "missing" | "invalid", reason?: string) {
    super(
      problem === "missing" ? "config_missing" : "config_invalid",
      "This server is not fully configured yet.",
      { hint: "The operator can find the setting to fix in the Worker's logs." },
    );
    this.name = "ConfigError";
    this.setting = setting;
    this.reason = reason;
  }
}

export type ErrorFormat = "json" | "jsonrpc" | "html";

const NO_STORE = { "Cache-Control": "no-store" };

/**
 * Turns any thrown value into the response for `format`. A WorkerError keeps its status and
 * message; anything else is logged with its detail and answered with a generic 500.
 */
export function errorResponse(error: unknown, format: ErrorFormat): Response {
  const known = toWorkerError(error);
  const { hint, headers = {}, returnTo } = known.options;
  if (format === "html") {
    const page = renderPage({
      title: WIRE[known.code].title,
      heading: WIRE[known.code].title,
      paragraphs: [known.message, ...(hint ? [hint] : [])],
      ...(returnTo ? { link: { href: returnTo, text: "Return to the app that asked you to sign in" } } : {}),
    });
    return htmlResponse(page, known.status, headers);
  }
  const description = hint ? `${known.message} ${hint}` : known.message;
  const body =
    format === "jsonrpc"
      ? jsonRpcError(WIRE[known.code].rpc, description)
      : { error: known.code, error_description: description };
  return new Response(JSON.stringify(body), {
    status: known.status,
    headers: { "Content-Type": "application/json", ...NO_STORE, ...headers },
  });
}

/** Logs a WorkerError (with its server-side detail) once, at the level its status deserves. */
export function logWorkerError(error: WorkerError, fields: LogFields = {}): void {
  const level = error.status >= 500 ? "error" : "warn";
  const extra: LogFields = error instanceof ConfigError ? { setting: error.setting, reason: error.reason } : {};
  logEvent(level, `worker_${error.code}`, { status: error.status, ...extra, ...error.options.log, ...fields });
}

function toWorkerError(error: unknown): WorkerError {
  if (error instanceof WorkerError) return error;
  logEvent("error", "worker_unexpected_error", { detail: describeError(error) });
  return new WorkerError("internal_error", "Something went wrong on this server.", {
    hint: "Try again; if it keeps happening, the operator can find the cause in the Worker's logs.",
  });
}
