/**
 * `status`: every resource the state records, with its id and live state from the API (tunnel
 * health and connections, secret names present), whether the Worker answers, and whether the
 * local gateway's /health does. Reads only.
 */
import { WORKER_SECRET_NAMES } from "@mcpbox/shared";
import { describeAllow } from "../allow";
import { summarizeConnectors } from "../cloudflare/api-tunnels";
import { mcpUrlOf } from "../connect";
import { findLocalGateway } from "../http/gateway-check";
import { checkWorker } from "../http/worker-check";
import { openContext, type ProvisionOptions, type RunContext, type RunDeps } from "../run/context";
import { stateAccount } from "./common";

export type RowState = "ok" | "problem" | "not set up";

export interface StatusRow {
  resource: string;
  name: string | undefined;
  id: string | undefined;
  state: RowState;
  detail: string;
}

export interface StatusResult {
  command: "status";
  /** True when every row is ok. */
  ok: boolean;
  accountId: string | undefined;
  mcpUrl: string | undefined;
  rows: StatusRow[];
  api: { requests: number; writes: number };
}

export async function runStatus(options: ProvisionOptions, deps: Partial<RunDeps> = {}): Promise<StatusResult> {
  const { ctx, release } = await openContext(options, deps, { lock: false });
  try {
    const accountId = ctx.state.accountId ? stateAccount(ctx, "This setup") : undefined;
    const rows = accountId ? await collectRows(ctx, accountId) : [];
    rows.push(await gatewayRow(ctx));
    const url = ctx.state.worker?.url;
    return {
      command: "status",
      ok: rows.length > 1 && rows.every((r) => r.state === "ok"),
      accountId,
      mcpUrl: url ? mcpUrlOf(url) : undefined,
      rows,
      api: { ...ctx.cf.stats },
    };
  } finally {
    await release();
  }
}

async function collectRows(ctx: RunContext, accountId: string): Promise<StatusRow[]> {
  const { cf, state } = ctx;
  const rows: StatusRow[] = [];
  const missing = (resource: string, name?: string): StatusRow => ({
    resource,
    name,
    id: undefined,
    state: "not set up",
    detail: "run setup",
  });

  if (state.tunnel) {
    const t = await cf.tunnels.getTunnel(accountId, state.tunnel.id);
    const alive = t && t.deletedAt === null;
    const healthy = alive && (t.status === "healthy" || t.status === "degraded");
    const live = alive ? summarizeConnectors(await cf.tunnels.listTunnelClients(accountId, state.tunnel.id)) : undefined;
    rows.push({
      resource: "Tunnel",
      name: state.tunnel.name,
      id: state.tunnel.id,
      state: healthy ? "ok" : "problem",
      detail:
        alive && live
          ? `${t.status}, ${live.connectors} connector(s) with ${live.connections} connection(s)${healthy ? "" : " — run doctor"}`
          : "deleted outside setup — run setup",
    });
  } else rows.push(missing("Tunnel", ctx.options.names.tunnel));

  if (state.vpcService) {
    const s = await cf.tunnels.getVpcService(accountId, state.vpcService.id);
    const routed = s?.tunnelId === state.tunnel?.id;
    rows.push({
      resource: "Workers VPC service",
      name: state.vpcService.name,
      id: state.vpcService.id,
      state: s && routed ? "ok" : "problem",
      detail: s
        ? `${s.type} → ${s.hostname}:${s.httpPort}${routed ? " through the tunnel" : ` through another tunnel (${s.tunnelId})`}`
        : "deleted outside setup — run setup",
    });
  } else rows.push(missing("Workers VPC service", ctx.options.names.vpcService));

  if (state.kvNamespace) {
    const n = await cf.storage.getKvNamespace(accountId, state.kvNamespace.id);
    rows.push({
      resource: "KV namespace",
      name: state.kvNamespace.title,
      id: state.kvNamespace.id,
      state: n ? "ok" : "problem",
      detail: n ? "present" : "deleted outside setup — run setup",
    });
  } else rows.push(missing("KV namespace"));

  if (state.worker) {
    const exists = (await cf.workers.listScripts(accountId)).some((s) => s.id === state.worker?.name);
    let detail = "deleted outside setup — run setup";
    let ok = false;
    if (exists && state.worker.url) {
      const check = await checkWorker(ctx.deps.http, state.worker.url);
      ok = check.health.ok && check.mcp.ok;
      detail = ok
        ? `${state.worker.url} answers (/health ok, /mcp asks for OAuth)`
        : `${state.worker.url}: ${[check.health.ok ? "" : `/health ${check.health.seen}`, check.mcp.ok ? "" : `/mcp ${check.mcp.seen}`].filter(Boolean).join("; ")}`;
    }
    rows.push({ resource: "Worker", name: state.worker.name, id: state.worker.name, state: ok ? "ok" : "problem", detail });
    if (exists) {
      const names = new Set(await cf.workers.listSecretNames(accountId, state.worker.name));
      const absent = WORKER_SECRET_NAMES.filter((n) => !names.has(n));
      rows.push({
        resource: "Worker secrets",
        name: undefined,
        id: undefined,
        state: absent.length === 0 ? "ok" : "problem",
        detail: absent.length === 0 ? `all ${WORKER_SECRET_NAMES.length} set` : `missing ${absent.join(", ")} — run secrets sync`,
      });
    }
  } else rows.push(missing("Worker", ctx.options.names.worker));

  if (state.access) {
    const app = await cf.access.getApp(accountId, state.access.appId);
    const policy = app ? (await cf.access.listPolicies(accountId, app.id)).find((p) => p.id === state.access?.policyId) : undefined;
    rows.push({
      resource: "Access application",
      name: state.access.appName,
      id: state.access.appId,
      state: app && policy ? "ok" : "problem",
      detail: !app
        ? "deleted outside setup — run setup"
        : policy
          ? `client ${state.access.clientId}; allows ${state.allow ? describeAllow(state.allow) : "(policy present)"}`
          : "its allow policy is missing — run setup",
    });
  } else rows.push(missing("Access application", ctx.options.names.worker));
  return rows;
}

async function gatewayRow(ctx: RunContext): Promise<StatusRow> {
  const { host, port } = ctx.options.gateway;
  const lookup = await findLocalGateway(ctx.deps.http, host, port);
  return lookup.found
    ? { resource: "Local gateway", name: undefined, id: undefined, state: "ok", detail: `${lookup.baseUrl}/health ok` }
    : {
        resource: "Local gateway",
        name: undefined,
        id: undefined,
        state: "problem",
        detail: `not reachable from here (tried ${lookup.tried.join(", ")}: ${lookup.seen})`,
      };
}
