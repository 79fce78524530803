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
  | "invalid_request"
  | "invalid_client_metadata"
  | "refresh_token_reused"
  | "internal_error";

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

/** A failure with a stable code, an HTTP status and a message that is safe to show. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  readonly status: number;
  readonly options: WorkerErrorOptions;

  constructor(code: WorkerErrorCode, status: number, message: string, options: WorkerErrorOptions = {}) {
    super(message);
    this.name = "WorkerError";
    this.code = code;
    this.status = status;
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
      503,
      "This server is not fully configured yet.",
      { hint: "The operator can find the setting to fix in the Worker's logs." },
    );
    this.name = "ConfigError";
    this.setting = setting;
    this.reason = reason;
  }
}

export type ErrorFormat = "json" | "jsonrpc" | "html";

const JSONRPC_CODES: Partial<Record<WorkerErrorCode, number>> = {
  origin_not_allowed: JSONRPC_ERROR.forbidden,
  token_in_query: JSONRPC_ERROR.invalidRequest,
  method_not_allowed: JSONRPC_ERROR.invalidRequest,
  not_found: JSONRPC_ERROR.invalidRequest,
  gateway_unreachable: JSONRPC_ERROR.upstreamUnavailable,
  gateway_rejected: JSONRPC_ERROR.upstreamUnavailable,
  gateway_timeout: JSONRPC_ERROR.upstreamTimeout,
};

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
      title: pageTitle(known),
      heading: pageTitle(known),
      paragraphs: [known.message, ...(hint ? [hint] : [])],
      ...(returnTo ? { link: { href: returnTo, text: "Return to the app that asked you to sign in" } } : {}),
    });
    return htmlResponse(page, known.status, headers);
  }
  const description = hint ? `${known.message} ${hint}` : known.message;
  const body =
    format === "jsonrpc"
      ? jsonRpcError(JSONRPC_CODES[known.code] ?? JSONRPC_ERROR.internalError, description)
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
  return new WorkerError("internal_error", 500, "Something went wrong on this server.", {
    hint: "Try again; if it keeps happening, the operator can find the cause in the Worker's logs.",
  });
}

function pageTitle(error: WorkerError): string {
  switch (error.code) {
    case "config_missing":
    case "config_invalid":
      return "Server not configured";
    case "upstream_denied":
    case "email_not_allowed":
    case "email_missing":
      return "Access denied";
    case "upstream_error":
    case "upstream_unreachable":
    case "id_token_invalid":
      return "Sign-in with Cloudflare Access failed";
    case "login_expired":
    case "consent_invalid":
      return "This sign-in page has expired";
    case "consent_forged":
      return "Request refused";
    case "rate_limited":
      return "Too many attempts";
    case "body_too_large":
      return "Request too large";
    case "authorization_invalid":
    case "client_unknown":
      return "This app's sign-in request is not valid";
    default:
      return "Request failed";
  }
}
