/**
 * Checks that the deployed Worker answers like a healthy MCPbox Worker: `/health` gives
 * {"status":"ok"} and an unauthenticated `/mcp` request gets 401 with `resource_metadata`
 * (RFC 9728 §5.1), which is how MCP clients discover where to log in.
 */
import { HEALTH_BODY, WORKER_PATHS } from "@mcpbox/shared";

export type CheckOutcome = { ok: true } | { ok: false; seen: string };

export interface WorkerCheck {
  health: CheckOutcome;
  mcp: CheckOutcome;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** One round of both checks. */
export async function checkWorker(http: typeof fetch, workerUrl: string): Promise<WorkerCheck> {
  const [health, mcp] = await Promise.all([checkHealth(http, workerUrl), checkMcpChallenge(http, workerUrl)]);
  return { health, mcp };
}

/** Repeats the checks until both pass or `attempts` run out (a new workers.dev route takes a while). */
export async function waitForWorker(
  http: typeof fetch,
  workerUrl: string,
  options: { attempts: number; intervalMs: number; sleep: (ms: number) => Promise<void>; checkAbort?: () => void },
): Promise<WorkerCheck> {
  let last: WorkerCheck = { health: { ok: false, seen: "not checked" }, mcp: { ok: false, seen: "not checked" } };
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    options.checkAbort?.();
    last = await checkWorker(http, workerUrl);
    if (last.health.ok && last.mcp.ok) return last;
    if (attempt < options.attempts) await options.sleep(options.intervalMs);
  }
  return last;
}

async function checkHealth(http: typeof fetch, workerUrl: string): Promise<CheckOutcome> {
  try {
    const response = await http(`${workerUrl}${WORKER_PATHS.health}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status !== 200) return { ok: false, seen: `HTTP ${response.status}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, seen: "a response that is not JSON" };
    }
    const expected = JSON.stringify(HEALTH_BODY);
    return JSON.stringify(body) === expected ? { ok: true } : { ok: false, seen: `a body other than ${expected}` };
  } catch (error) {
    return { ok: false, seen: describeFetchError(error) };
  }
}

async function checkMcpChallenge(http: typeof fetch, workerUrl: string): Promise<CheckOutcome> {
  try {
    const response = await http(`${workerUrl}${WORKER_PATHS.mcp}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const challenge = response.headers.get("www-authenticate") ?? "";
    if (response.status !== 401) return { ok: false, seen: `HTTP ${response.status} instead of 401` };
    return /resource_metadata="?[^"\s,]+/.test(challenge)
      ? { ok: true }
      : { ok: false, seen: "401 without resource_metadata in WWW-Authenticate" };
  } catch (error) {
    return { ok: false, seen: describeFetchError(error) };
  }
}

/** A short reason for a failed fetch (DNS, refused, timeout), without stack traces. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "no answer within 10 s";
    const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
    // undici puts the socket error in `cause`; several addresses tried give an AggregateError.
    const code = cause?.code ?? cause?.errors?.find((e) => typeof e.code === "string")?.code;
    if (typeof code === "string") return `connection failed (${code})`;
    if (typeof cause?.message === "string" && cause.message) return `connection failed (${cause.message})`;
    return `connection failed (${error.message})`;
  }
  return "connection failed";
}
