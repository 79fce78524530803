/**
 * The fake Cloudflare API server: an in-memory HTTP server on 127.0.0.1 (port 0) under
 * /client/v4, with per-token permissions (10000 on endpoints a token lacks), account-owned tokens
 * (401 at /user/tokens/verify), a call log, and faults injected on demand (an HTTP status with
 * Retry-After, or a connection dropped before or after the request took effect).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiFailure, envelope, type HandlerResult } from "./envelope";
import {
  fullPermissions,
  hex,
  LEVEL_RANK,
  newAccount,
  type FakeAccount,
  type FakeToken,
  type PermissionGroup,
  type PermissionLevel,
} from "./model";
import { accessRoutes } from "./routes-access";
import { kvKeyRoutes } from "./routes-kv-keys";
import { tunnelRoutes } from "./routes-tunnels";
import { workersRoutes } from "./routes-workers";
import { path, type FakeRequest, type Route } from "./route";

const PREFIX = "/client/v4";

export interface CallRecord {
  n: number;
  method: string;
  /** Path under /client/v4. */
  path: string;
  query: string;
  status: number | "dropped";
  write: boolean;
  /** Set when a fault was applied to this call. */
  fault?: string;
}

export interface FaultSpec {
  /** Trigger on the n-th request (1-based, counted since the last resetCalls). */
  atCall?: number;
  /** Trigger on the n-th write request (any method but GET). */
  atWrite?: number;
  method?: string;
  path?: RegExp;
  kind: "status" | "drop-before" | "drop-after";
  status?: number;
  retryAfter?: string;
  /** The triggering request and its repeats (same method and path) that the fault hits; default 1. */
  times?: number;
}

interface ArmedFault extends FaultSpec {
  key?: string;
  remaining: number;
}

const globalRoutes: Route[] = [
  {
    method: "GET",
    pattern: path("/user/tokens/verify"),
    global: true,
    handle: ({ token }) => {
      if (token.kind !== "user") throw new ApiFailure(401, [{ code: 1000, message: "Invalid API Token" }]);
      return { result: { id: token.id, status: token.status } };
    },
  },
];

export class FakeCloudflare {
  readonly accounts = new Map<string, FakeAccount>();
  readonly tokens = new Map<string, FakeToken>();
  readonly calls: CallRecord[] = [];
  /** Handler crashes (bugs in the fake or its use); tests assert it stays empty. */
  readonly internalErrors: unknown[] = [];
  readonly disabled = new Set<string>();
  /** per_page ceilings by path, as endpoints with a maximum below the caller's per_page have. */
  private readonly perPageCaps: Array<{ path: RegExp; max: number }> = [];
  private readonly omittedResultInfo = new Set<string>();
  private readonly faults: ArmedFault[] = [];
  private readonly routes: Route[];
  private server: Server | undefined;
  private writeCount = 0;
  baseUrl = "";

  constructor() {
    const accountVerify: Route = {
      method: "GET",
      pattern: path("/accounts/:a/tokens/verify"),
      handle: ({ token }) => {
        if (token.kind !== "account") throw new ApiFailure(401, [{ code: 1000, message: "Invalid API Token" }]);
        return { result: { id: token.id, status: token.status } };
      },
    };
    const accountsList: Route = {
      method: "GET",
      pattern: path("/accounts"),
      global: true,
      handle: ({ token, query }) => this.listAccounts(token, query),
    };
    this.routes = [...globalRoutes, accountsList, accountVerify, ...tunnelRoutes, ...workersRoutes, ...kvKeyRoutes, ...accessRoutes];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.internalErrors.push(error);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}${PREFIX}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds an account; by default it has a workers.dev subdomain, a Zero Trust org and one IdP. */
  addAccount(name: string, options: Parameters<typeof newAccount>[1] = {}): FakeAccount {
    const account = newAccount(name, options);
    this.accounts.set(account.id, account);
    return account;
  }

  /** Adds a token and returns its secret value. */
  addToken(options: {
    accounts: FakeAccount[];
    kind?: "user" | "account";
    permissions?: Map<PermissionGroup, PermissionLevel>;
    status?: FakeToken["status"];
    accountsList?: FakeToken["accountsList"];
  }): string {
    const token: FakeToken = {
      value: hex(20),
      id: hex(16),
      kind: options.kind ?? "user",
      accounts: options.accounts.map((a) => a.id),
      permissions: options.permissions ?? fullPermissions(),
      status: options.status ?? "active",
      accountsList: options.accountsList ?? "listed",
    };
    this.tokens.set(token.value, token);
    return token.value;
  }

  injectFault(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Makes an endpoint answer as if it did not exist (404, code 7003). */
  disableEndpoint(name: "secrets-bulk"): void {
    this.disabled.add(name);
  }

  /** Lists on matching paths return at most `max` items a page, whatever per_page asked for. */
  capPerPage(pathPattern: RegExp, max: number): void {
    this.perPageCaps.push({ path: pathPattern, max });
  }

  /** Leaves these fields out of every result_info (the other pagination signals must then do). */
  omitResultInfo(...fields: Array<"total_pages" | "total_count" | "per_page" | "count">): void {
    for (const f of fields) this.omittedResultInfo.add(f);
  }

  resetCalls(): void {
    this.calls.length = 0;
    this.writeCount = 0;
  }

  writes(): CallRecord[] {
    return this.calls.filter((c) => c.write);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const write = method !== "GET" && method !== "HEAD";
    if (write) this.writeCount += 1;
    const record: CallRecord = {
      n: this.calls.length + 1,
      method,
      path: url.pathname.replace(PREFIX, ""),
      query: url.search,
      status: 200,
      write,
    };
    this.calls.push(record);

    const fault = this.takeFault(record);
    if (fault?.kind === "drop-before") {
      record.status = "dropped";
      record.fault = "drop-before";
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      const status = fault.status ?? 500;
      record.status = status;
      record.fault = `status ${status}`;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      const error =
        status === 429
          ? { code: 971, message: "Please wait and consider throttling your request speed" }
          : { code: 10001, message: "Internal server error (injected)" };
      res.writeHead(status, headers).end(JSON.stringify(envelope(status, null, [error])));
      return;
    }

    const { status, payload } = await this.respond(method, url, req, body);
    if (fault?.kind === "drop-after") {
      record.status = "dropped";
      record.fault = "drop-after";
      req.socket.destroy();
      return;
    }
    record.status = status;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
  }

  private takeFault(record: CallRecord): ArmedFault | undefined {
    const key = `${record.method} ${record.path}`;
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      const triggered = fault.key !== undefined;
      const matches = triggered
        ? fault.key === key
        : (fault.atCall === undefined || fault.atCall === record.n) &&
          (fault.atWrite === undefined || (record.write && fault.atWrite === this.writeCount)) &&
          (fault.method === undefined || fault.method === record.method) &&
          (fault.path === undefined || fault.path.test(record.path));
      if (!matches) continue;
      fault.key = key;
      fault.remaining -= 1;
      return fault;
    }
    return undefined;
  }

  private async respond(method: string, url: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; payload: unknown }> {
    const subPath = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    try {
      const candidates = this.routes.filter((r) => r.pattern.test(subPath));
      const route = candidates.find((r) => r.method === method);
      const disabled = this.disabled.has("secrets-bulk") && subPath.endsWith("/secrets-bulk");
      if (!route || disabled) {
        if (candidates.length > 0 && !disabled) throw new ApiFailure(405, [{ code: 10405, message: "Method not allowed" }]);
        throw new ApiFailure(404, [
          { code: 7003, message: `Could not route to ${subPath}, perhaps your object identifier is invalid?` },
          { code: 7000, message: "No route for that URI" },
        ]);
      }
      const params = { ...(route.pattern.exec(subPath)?.groups ?? {}) };
      const token = this.authenticate(req, subPath);
      const account = this.authorize(token, route, params.a);
      const contentType = String(req.headers["content-type"] ?? "");
      const query = new URLSearchParams(url.searchParams);
      const cap = this.perPageCaps.find((c) => c.path.test(subPath));
      if (cap && method === "GET")
        query.set("per_page", String(Math.min(cap.max, Number.parseInt(query.get("per_page") ?? "20", 10) || 20)));
      const request: FakeRequest = {
        method,
        path: subPath,
        query,
        token,
        account: account as FakeAccount,
        params,
        contentType,
        body,
        json: () => {
          try {
            const value: unknown = JSON.parse(body.toString("utf8") || "null");
            if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
          } catch {
            // fall through to the 400 below
          }
          throw new ApiFailure(400, [{ code: 10026, message: "The request body is not a JSON object" }]);
        },
        formData: () => new Response(body, { headers: { "content-type": contentType } }).formData(),
      };
      const result: HandlerResult = await route.handle(request);
      const status = result.status ?? 200;
      const info = result.resultInfo
        ? Object.fromEntries(Object.entries(result.resultInfo).filter(([key]) => !this.omittedResultInfo.has(key)))
        : undefined;
      return { status, payload: envelope(status, result.result, [], info) };
    } catch (error) {
      if (error instanceof ApiFailure) return { status: error.status, payload: envelope(error.status, null, error.errors) };
      throw error;
    }
  }

  private authenticate(req: IncomingMessage, subPath: string): FakeToken {
    const header = String(req.headers.authorization ?? "");
    const token = this.tokens.get(header.replace(/^Bearer\s+/i, ""));
    if (!token) {
      if (subPath === "/user/tokens/verify") throw new ApiFailure(401, [{ code: 1000, message: "Invalid API Token" }]);
      throw new ApiFailure(403, [{ code: 10000, message: "Authentication error" }]);
    }
    return token;
  }

  private authorize(token: FakeToken, route: Route, accountId: string | undefined): FakeAccount | undefined {
    if (route.global) return undefined;
    const account = accountId ? this.accounts.get(accountId) : undefined;
    if (!account || !token.accounts.includes(account.id)) throw new ApiFailure(403, [{ code: 10000, message: "Authentication error" }]);
    if (token.status !== "active" && !route.pattern.source.includes("tokens"))
      throw new ApiFailure(403, [{ code: 10000, message: "Authentication error" }]);
    if (route.permission) {
      const [groups, level] = route.permission;
      const allowed = groups.some((group) => {
        const granted = token.permissions.get(group);
        return granted !== undefined && LEVEL_RANK[granted] >= LEVEL_RANK[level];
      });
      if (!allowed) throw new ApiFailure(403, [{ code: 10000, message: "Authentication error" }]);
    }
    return account;
  }

  private listAccounts(token: FakeToken, query: URLSearchParams): HandlerResult {
    if (token.accountsList === "forbidden")
      throw new ApiFailure(403, [{ code: 9109, message: "Unauthorized to access requested resource" }]);
    const items = (token.accountsList === "empty" ? [] : token.accounts)
      .map((id) => this.accounts.get(id))
      .filter((a): a is FakeAccount => a !== undefined);
    const page = Number.parseInt(query.get("page") ?? "1", 10);
    const perPage = Math.min(Number.parseInt(query.get("per_page") ?? "20", 10), 50);
    const slice = items
      .slice((page - 1) * perPage, page * perPage)
      .map((a) => ({ id: a.id, name: a.name, type: "standard", settings: {}, created_on: "2024-01-01T00:00:00Z" }));
    return {
      result: slice,
      resultInfo: {
        page,
        per_page: perPage,
        count: slice.length,
        total_count: items.length,
        total_pages: Math.max(1, Math.ceil(items.length / perPage)),
      },
    };
  }
}
