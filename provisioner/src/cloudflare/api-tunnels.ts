/**
 * Cloudflare Tunnel (remotely managed) and Workers VPC services (Connectivity Directory):
 * the private path from the Worker to the gateway. No public hostname, no DNS route.
 */
import type { CloudflareClient } from "./client";
import { PERMISSIONS } from "./permissions";
import type { Tunnel, TunnelClient, VpcService, VpcServiceSpec } from "./types";

const TUNNEL = PERMISSIONS.tunnel;
const VPC = PERMISSIONS.connectivity;

interface SdkTunnel {
  id?: string;
  name?: string;
  status?: string;
  config_src?: string;
  deleted_at?: string | null;
}

interface SdkService {
  service_id?: string;
  name: string;
  type: string;
  http_port?: number | null;
  host?: unknown;
}

export class TunnelsApi {
  constructor(private readonly client: CloudflareClient) {}

  /** Tunnels with this exact name that are not deleted. */
  async listTunnels(accountId: string, name: string): Promise<Tunnel[]> {
    const items = await this.client.listAll({ label: "list tunnels", method: "GET", permission: TUNNEL }, (page, perPage) =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.list({ account_id: accountId, name, is_deleted: false, page, per_page: perPage }),
    );
    return items.map(toTunnel).filter((t) => t.name === name && t.deletedAt === null);
  }

  /** One tunnel by id; undefined when unknown. Deleted tunnels are returned with `deletedAt` set. */
  async getTunnel(accountId: string, tunnelId: string): Promise<Tunnel | undefined> {
    const result = await this.client.callOrNotFound({ label: "read the tunnel", method: "GET", permission: TUNNEL }, () =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.get(tunnelId, { account_id: accountId }),
    );
    return result ? toTunnel(result) : undefined;
  }

  /** Creates a remotely managed tunnel (`config_src: cloudflare`). */
  async createTunnel(accountId: string, name: string): Promise<Tunnel> {
    const result = await this.client.call({ label: `create the tunnel "${name}"`, method: "POST", permission: TUNNEL }, () =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.create({ account_id: accountId, name, config_src: "cloudflare" }),
    );
    return toTunnel(result);
  }

  /** The token cloudflared runs with (`cloudflared tunnel run --token …`, or TUNNEL_TOKEN). */
  async getTunnelToken(accountId: string, tunnelId: string): Promise<string> {
    return this.client.call({ label: "read the tunnel's run token", method: "GET", permission: TUNNEL }, () =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.token.get(tunnelId, { account_id: accountId }),
    );
  }

  /**
   * Connectors (running cloudflared instances), their connections and versions. This, not the
   * tunnel object's deprecated `connections` field (documented to become an empty array), is
   * where live connections are counted.
   */
  async listTunnelClients(accountId: string, tunnelId: string): Promise<TunnelClient[]> {
    const clients = await this.client.listOnce({ label: "list the tunnel's connectors", method: "GET", permission: TUNNEL }, () =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.connections.get(tunnelId, { account_id: accountId }),
    );
    return clients.map((c) => ({ id: c.id ?? "", version: c.version, connectionCount: c.conns?.length ?? 0 }));
  }

  /** Drops every connector of the tunnel; idempotent, so teardown always sends it before deleting. */
  async deleteTunnelConnections(accountId: string, tunnelId: string): Promise<void> {
    await this.client.call({ label: "remove the tunnel's connections", method: "DELETE", permission: TUNNEL }, () =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.connections.delete(tunnelId, { account_id: accountId }),
    );
  }

  async deleteTunnel(accountId: string, tunnelId: string): Promise<void> {
    await this.client.call({ label: "delete the tunnel", method: "DELETE", permission: TUNNEL }, () =>
      this.client.sdk.zeroTrust.tunnels.cloudflared.delete(tunnelId, { account_id: accountId }),
    );
  }

  async listVpcServices(accountId: string): Promise<VpcService[]> {
    const items = await this.client.listAll({ label: "list Workers VPC services", method: "GET", permission: VPC }, (page, perPage) =>
      this.client.sdk.connectivity.directory.services.list({ account_id: accountId, page, per_page: perPage }),
    );
    return items.map(toService);
  }

  async getVpcService(accountId: string, serviceId: string): Promise<VpcService | undefined> {
    const result = await this.client.callOrNotFound({ label: "read the Workers VPC service", method: "GET", permission: VPC }, () =>
      this.client.sdk.connectivity.directory.services.get(serviceId, { account_id: accountId }),
    );
    return result ? toService(result) : undefined;
  }

  /** Creates an http service routed through the tunnel to `hostname:httpPort` (resolved at cloudflared). */
  async createVpcService(accountId: string, spec: VpcServiceSpec): Promise<VpcService> {
    const result = await this.client.call({ label: `create the Workers VPC service "${spec.name}"`, method: "POST", permission: VPC }, () =>
      this.client.sdk.connectivity.directory.services.create({ account_id: accountId, ...serviceBody(spec) }),
    );
    return toService(result);
  }

  async updateVpcService(accountId: string, serviceId: string, spec: VpcServiceSpec): Promise<VpcService> {
    const result = await this.client.call({ label: `update the Workers VPC service "${spec.name}"`, method: "PUT", permission: VPC }, () =>
      this.client.sdk.connectivity.directory.services.update(serviceId, { account_id: accountId, ...serviceBody(spec) }),
    );
    return toService(result);
  }

  async deleteVpcService(accountId: string, serviceId: string): Promise<void> {
    await this.client.call({ label: "delete the Workers VPC service", method: "DELETE", permission: VPC }, () =>
      this.client.sdk.connectivity.directory.services.delete(serviceId, { account_id: accountId }),
    );
  }
}

/** Connectors, their live connections, and the distinct versions they run. */
export function summarizeConnectors(clients: readonly TunnelClient[]): { connectors: number; connections: number; versions: string[] } {
  const versions = [...new Set(clients.map((c) => c.version).filter((v): v is string => Boolean(v)))];
  return { connectors: clients.length, connections: clients.reduce((sum, c) => sum + c.connectionCount, 0), versions };
}

function serviceBody(spec: VpcServiceSpec) {
  return {
    name: spec.name,
    type: "http" as const,
    http_port: spec.httpPort,
    host: { hostname: spec.hostname, resolver_network: { tunnel_id: spec.tunnelId } },
  };
}

function toTunnel(t: SdkTunnel): Tunnel {
  return {
    id: t.id ?? "",
    name: t.name ?? "",
    status: t.status ?? "inactive",
    configSrc: t.config_src,
    deletedAt: t.deleted_at ?? null,
  };
}

function toService(s: SdkService): VpcService {
  const host =
    typeof s.host === "object" && s.host !== null
      ? (s.host as { hostname?: unknown; resolver_network?: { tunnel_id?: unknown }; network?: { tunnel_id?: unknown } })
      : {};
  const tunnelId = host.resolver_network?.tunnel_id ?? host.network?.tunnel_id;
  return {
    id: s.service_id ?? "",
    name: s.name,
    type: s.type,
    hostname: typeof host.hostname === "string" ? host.hostname : undefined,
    tunnelId: typeof tunnelId === "string" ? tunnelId : undefined,
    httpPort: s.http_port ?? undefined,
  };
}
