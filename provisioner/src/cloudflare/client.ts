/**
 * The one typed Cloudflare client: wraps the official `cloudflare` SDK, turns every failure into a
 * CloudflareApiError with a hint, retries only 429/5xx (and dropped connections of idempotent
 * calls) with Retry-After and backoff, paginates, and counts calls and writes.
 */
import Cloudflare, { APIConnectionError, APIError, APIUserAbortError } from "cloudflare";
import { AccessApi } from "./api-access";
import { TokensApi } from "./api-tokens";
import { TunnelsApi } from "./api-tunnels";
import { StorageApi } from "./api-storage";
import { WorkersApi } from "./api-workers";
import { CloudflareApiError, type ApiErrorItem, type ApiOperation } from "./errors";
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, type AttemptFailure, type RetryPolicy } from "./retry";

/** One HTTP request as sent, for call counting (never carries headers or bodies). */
export interface ApiRequestRecord {
  method: string;
  path: string;
}

export interface ApiStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that may change something (any method but GET/HEAD). */
  writes: number;
}

export interface CloudflareClientOptions {
  apiToken: string;
  baseUrl: string;
  /** Waits between retries; tests inject one that returns at once and records the delay. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Called before each attempt; throws to stop (Ctrl-C). */
  checkAbort?: () => void;
  onRequest?: (record: ApiRequestRecord) => void;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** Items per page for every list call. */
const PAGE_SIZE = 50;
/** A list longer than this many pages is treated as an API misbehaving, not looped forever. */
const MAX_PAGES = 200;

/** A page as returned by the SDK's list methods. */
interface SdkPage<T> {
  getPaginatedItems(): T[];
  result_info?: { total_pages?: number } | unknown;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CloudflareClient {
  readonly stats: ApiStats = { requests: 0, writes: 0 };
  readonly baseUrl: string;
  /** @internal The SDK instance, for the api-*.ts modules. */
  readonly sdk: Cloudflare;
  readonly tokens: TokensApi;
  readonly tunnels: TunnelsApi;
  readonly storage: StorageApi;
  readonly workers: WorkersApi;
  readonly access: AccessApi;

  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly policy: RetryPolicy;
  private readonly checkAbort: () => void;

  constructor(options: CloudflareClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.checkAbort = options.checkAbort ?? (() => {});
    const baseFetch = options.fetch ?? globalThis.fetch;
    const onRequest = options.onRequest;
    const stats = this.stats;
    const countingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const method = (init?.method ?? "GET").toUpperCase();
      stats.requests += 1;
      if (method !== "GET" && method !== "HEAD") stats.writes += 1;
      const url = new URL(input instanceof Request ? input.url : String(input));
      onRequest?.({ method, path: url.pathname });
      return baseFetch(input, init);
    }) as typeof fetch;
    this.sdk = new Cloudflare({
      apiToken: options.apiToken,
      // Explicit nulls: the SDK would otherwise pick up CLOUDFLARE_API_KEY/EMAIL from the environment.
      apiKey: null,
      apiEmail: null,
      userServiceKey: null,
      baseURL: this.baseUrl,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 60_000,
      fetch: countingFetch,
      logLevel: "off",
    });
    this.tokens = new TokensApi(this);
    this.tunnels = new TunnelsApi(this);
    this.storage = new StorageApi(this);
    this.workers = new WorkersApi(this);
    this.access = new AccessApi(this);
  }

  /** Runs one API call with the retry policy; failures become CloudflareApiError. */
  async call<T>(op: ApiOperation, fn: () => PromiseLike<T>): Promise<T> {
    const idempotent = op.idempotent ?? op.method !== "POST";
    for (let attempt = 1; ; attempt += 1) {
      this.checkAbort();
      try {
        return await fn();
      } catch (error) {
        // Ctrl-C aborts the request in flight; report the interruption, not a network error.
        this.checkAbort();
        if (error instanceof CloudflareApiError) throw error;
        const failure = attemptFailure(error);
        if (!failure) throw error;
        if (attempt < this.policy.maxAttempts && isRetryable(failure, idempotent)) {
          await this.sleep(retryDelayMs(failure, attempt, this.policy, this.now(), this.random));
          continue;
        }
        throw toApiError(op, error);
      }
    }
  }

  /**
   * Fetches every page of a list (page/per_page). The end is where `result_info` says it is
   * (total_pages, else total_count): an endpoint may cap per_page below ours, so a page shorter than
   * asked for is not the end. Only without either count does a short or empty page end the list.
   */
  async listAll<T>(op: ApiOperation, fetchPage: (page: number, perPage: number) => PromiseLike<SdkPage<T>>): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const result = await this.call(op, () => fetchPage(page, PAGE_SIZE));
      const pageItems = result.getPaginatedItems();
      items.push(...pageItems);
      if (isLastPage(result.result_info, page, items.length, pageItems.length)) return items;
    }
    throw new CloudflareApiError(op, undefined, [], `The API kept returning pages past ${MAX_PAGES}; this looks like an API fault. Try again later.`);
  }

  /** One call to a list endpoint that is not paginated (the SDK's SinglePage). */
  async listOnce<T>(op: ApiOperation, fetchList: () => PromiseLike<SdkPage<T>>): Promise<T[]> {
    const result = await this.call(op, fetchList);
    return result.getPaginatedItems();
  }

  /**
   * A request the SDK has no (working) method for, sent through the SDK's own transport so auth,
   * base URL and timeouts are shared. Unwraps the `{ success, errors, result }` envelope.
   */
  async raw<T>(op: ApiOperation, path: string, body?: FormData | Record<string, unknown>): Promise<T> {
    return this.call(op, async () => {
      const method = op.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
      const envelope: unknown = await this.sdk[method](path, body === undefined ? {} : { body });
      return unwrapEnvelope<T>(op, envelope);
    });
  }

  /** Like `call`, but a 404 (or Workers 10007) resolves to undefined instead of failing. */
  async callOrNotFound<T>(op: ApiOperation, fn: () => PromiseLike<T>): Promise<T | undefined> {
    try {
      return await this.call(op, fn);
    } catch (error) {
      if (error instanceof CloudflareApiError && error.isNotFound) return undefined;
      throw error;
    }
  }
}

/** Reads `{ success, errors, result }`; a `success: false` with a 2xx status is still a failure. */
export function unwrapEnvelope<T>(op: ApiOperation, envelope: unknown): T {
  if (typeof envelope !== "object" || envelope === null || !("success" in envelope)) {
    throw new CloudflareApiError(op, undefined, [], "The API answered with something that is not a Cloudflare API envelope. Check CLOUDFLARE_API_BASE_URL.");
  }
  const record = envelope as { success: unknown; errors?: unknown; result?: unknown };
  if (record.success !== true) throw new CloudflareApiError(op, 200, readErrors(record.errors));
  return record.result as T;
}

function attemptFailure(error: unknown): AttemptFailure | undefined {
  if (error instanceof APIUserAbortError) return undefined;
  if (error instanceof APIConnectionError) return { kind: "connection" };
  if (error instanceof APIError && typeof error.status === "number") {
    return { kind: "status", status: error.status, retryAfter: error.headers?.get("retry-after") ?? null };
  }
  return undefined;
}

function toApiError(op: ApiOperation, error: unknown): CloudflareApiError {
  if (error instanceof APIError) {
    const status = typeof error.status === "number" ? error.status : undefined;
    return new CloudflareApiError(op, status, readErrors(error.errors));
  }
  return new CloudflareApiError(op, undefined, []);
}

function readErrors(value: unknown): ApiErrorItem[] {
  if (!Array.isArray(value)) return [];
  const out: ApiErrorItem[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) continue;
    const { code, message } = item as { code?: unknown; message?: unknown };
    out.push({ code: typeof code === "number" ? code : 0, message: typeof message === "string" ? message.slice(0, 300) : "unknown error" });
  }
  return out;
}

/** Whether `page` (1-based) ended the list, from result_info's counts when it has them. */
function isLastPage(info: unknown, page: number, seen: number, pageLength: number): boolean {
  if (pageLength === 0) return true;
  const totalPages = positiveNumber(info, "total_pages");
  if (totalPages !== undefined) return page >= totalPages;
  const totalCount = positiveNumber(info, "total_count");
  if (totalCount !== undefined) return seen >= totalCount;
  return pageLength < (positiveNumber(info, "per_page") ?? PAGE_SIZE);
}

function positiveNumber(info: unknown, key: string): number | undefined {
  if (typeof info !== "object" || info === null) return undefined;
  const value = (info as Record<string, unknown>)[key];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
