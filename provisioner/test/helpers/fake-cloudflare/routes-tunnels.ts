/**
 * Fake Cloudflare Tunnel (cfd_tunnel) and Workers VPC / Connectivity Directory endpoints.
 * Tunnels are soft-deleted (deleted_at), names are unique among live tunnels (error 1013), a
 * tunnel with live connections cannot be deleted, the tunnel object's deprecated `connections` is
 * always empty (GET …/connections lists the connectors), and a VPC service must route to a live tunnel.
 */
import { fail, paginate } from "./envelope";
import { hex, nowIso, uuid, type FakeAccount, type FakeService, type FakeTunnel } from "./model";
import { path, type Route } from "./route";

const TUNNEL = ["Cloudflare Tunnel"] as const;
const VPC = ["Connectivity Directory"] as const;

function tunnelView(account: FakeAccount, t: FakeTunnel): Record<string, unknown> {
  const status = t.connections.length > 0 ? "healthy" : t.everConnected ? "down" : "inactive";
  return {
    id: t.id,
    account_tag: account.id,
    name: t.name,
    created_at: t.createdAt,
    deleted_at: t.deletedAt,
    // Deprecated field, documented to become an empty array: connectors are read from …/connections.
    connections: [],
    conns_active_at: t.connections[0]?.openedAt ?? null,
    conns_inactive_at: null,
    tun_type: "cfd_tunnel",
    status,
    config_src: t.configSrc,
    remote_config: t.configSrc === "cloudflare",
    metadata: {},
  };
}

function tunnelToken(account: FakeAccount, t: FakeTunnel): string {
  return Buffer.from(JSON.stringify({ a: account.id, t: t.id, s: t.secret })).toString("base64");
}

function getTunnel(account: FakeAccount, id: string): FakeTunnel {
  return account.tunnels.get(id) ?? fail(404, 1003, "Tunnel not found");
}

function serviceView(s: FakeService): Record<string, unknown> {
  return { service_id: s.id, name: s.name, type: s.type, host: s.host, http_port: s.httpPort ?? null, created_at: s.createdAt, updated_at: s.updatedAt };
}

/** Validates a service body (create and update share it). Unconfirmed error codes are marked. */
function readService(account: FakeAccount, body: Record<string, unknown>, selfId?: string): Omit<FakeService, "id" | "createdAt" | "updatedAt"> {
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name) fail(400, 1001, "name is required");
  if (body.type !== "http" && body.type !== "tcp") fail(400, 1001, "type must be http or tcp");
  const host = typeof body.host === "object" && body.host !== null ? (body.host as Record<string, unknown>) : fail(400, 1001, "host is required");
  const network = (host.resolver_network ?? host.network) as { tunnel_id?: unknown } | undefined;
  const tunnelId = typeof network?.tunnel_id === "string" ? network.tunnel_id : fail(400, 1001, "host.resolver_network.tunnel_id is required");
  const tunnel = account.tunnels.get(tunnelId);
  // Unconfirmed code: the real API rejects a service that points at an unknown tunnel.
  if (!tunnel || tunnel.deletedAt) fail(400, 1002, `tunnel ${tunnelId} does not exist`);
  const port = body.http_port === undefined ? undefined : Number(body.http_port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) fail(400, 1001, "http_port must be a port number");
  for (const s of account.services.values()) {
    // Unconfirmed code: names are unique per account.
    if (s.name === name && s.id !== selfId) fail(409, 1004, "a service with this name already exists");
  }
  return { name, type: body.type as string, host, httpPort: port };
}

export const tunnelRoutes: Route[] = [
  {
    method: "GET",
    pattern: path("/accounts/:a/cfd_tunnel"),
    permission: [TUNNEL, "read"],
    handle: ({ account, query }) => {
      const name = query.get("name");
      const deleted = query.get("is_deleted");
      const items = [...account.tunnels.values()]
        .filter((t) => (name === null ? true : t.name === name))
        .filter((t) => (deleted === "false" ? t.deletedAt === null : deleted === "true" ? t.deletedAt !== null : true))
        .map((t) => tunnelView(account, t));
      return paginate(items, query);
    },
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/cfd_tunnel"),
    permission: [TUNNEL, "edit"],
    handle: (req) => {
      const body = req.json();
      const name = typeof body.name === "string" ? body.name.trim() : "";
      if (!name) fail(400, 1001, "name is required");
      if ([...req.account.tunnels.values()].some((t) => t.name === name && t.deletedAt === null)) {
        fail(409, 1013, "You already have a tunnel with this name. Delete the existing tunnel, or choose a different name for your new tunnel");
      }
      const configSrc = body.config_src === "cloudflare" ? "cloudflare" : "local";
      const tunnel: FakeTunnel = { id: uuid(), name, secret: Buffer.from(hex(32), "hex").toString("base64"), configSrc, createdAt: nowIso(), deletedAt: null, connections: [], everConnected: false };
      req.account.tunnels.set(tunnel.id, tunnel);
      return { result: { ...tunnelView(req.account, tunnel), token: tunnelToken(req.account, tunnel) } };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/cfd_tunnel/:id"),
    permission: [TUNNEL, "read"],
    handle: ({ account, params }) => ({ result: tunnelView(account, getTunnel(account, params.id ?? "")) }),
  },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/cfd_tunnel/:id"),
    permission: [TUNNEL, "edit"],
    handle: ({ account, params }) => {
      const tunnel = getTunnel(account, params.id ?? "");
      if (tunnel.deletedAt) fail(404, 1003, "Tunnel not found");
      // Unconfirmed code: the real API refuses while cloudflared is connected.
      if (tunnel.connections.length > 0) fail(400, 1022, "Cannot delete a tunnel with active connections");
      tunnel.deletedAt = nowIso();
      return { result: tunnelView(account, tunnel) };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/cfd_tunnel/:id/token"),
    permission: [TUNNEL, "read"],
    handle: ({ account, params }) => ({ result: tunnelToken(account, getTunnel(account, params.id ?? "")) }),
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/cfd_tunnel/:id/connections"),
    permission: [TUNNEL, "read"],
    handle: ({ account, params }) => {
      const tunnel = getTunnel(account, params.id ?? "");
      const clients = new Map<string, { id: string; version: string; conns: unknown[] }>();
      for (const c of tunnel.connections) {
        const client = clients.get(c.clientId) ?? { id: c.clientId, version: c.version, conns: [] };
        client.conns.push({ id: c.id, client_id: c.clientId, client_version: c.version, colo_name: c.colo, opened_at: c.openedAt, is_pending_reconnect: false });
        clients.set(c.clientId, client);
      }
      return { result: [...clients.values()].map((c) => ({ ...c, arch: "linux_amd64", run_at: tunnel.createdAt, features: [] })) };
    },
  },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/cfd_tunnel/:id/connections"),
    permission: [TUNNEL, "edit"],
    handle: ({ account, params, query }) => {
      const tunnel = getTunnel(account, params.id ?? "");
      const clientId = query.get("client_id");
      tunnel.connections = clientId ? tunnel.connections.filter((c) => c.clientId !== clientId) : [];
      return { result: null };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/connectivity/directory/services"),
    permission: [VPC, "read"],
    handle: ({ account, query }) => paginate([...account.services.values()].map(serviceView), query),
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/connectivity/directory/services"),
    permission: [VPC, "edit"],
    handle: (req) => {
      const fields = readService(req.account, req.json());
      const service: FakeService = { id: uuid(), ...fields, createdAt: nowIso(), updatedAt: nowIso() };
      req.account.services.set(service.id, service);
      return { result: serviceView(service) };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/connectivity/directory/services/:id"),
    permission: [VPC, "read"],
    handle: ({ account, params }) => ({ result: serviceView(account.services.get(params.id ?? "") ?? fail(404, 1404, "service not found")) }),
  },
  {
    method: "PUT",
    pattern: path("/accounts/:a/connectivity/directory/services/:id"),
    permission: [VPC, "edit"],
    handle: (req) => {
      const service = req.account.services.get(req.params.id ?? "") ?? fail(404, 1404, "service not found");
      Object.assign(service, readService(req.account, req.json(), service.id), { updatedAt: nowIso() });
      return { result: serviceView(service) };
    },
  },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/connectivity/directory/services/:id"),
    permission: [VPC, "edit"],
    handle: ({ account, params }) => {
      if (!account.services.delete(params.id ?? "")) fail(404, 1404, "service not found");
      return { result: null };
    },
  },
];
