/**
 * The home side's network isolation (the gateway reachable only through the tunnel), checked on a
 * parsed compose file: nothing is published, the gateway and every MCP server sit on internal
 * networks only, an MCP server shares a network with the gateway alone, only cloudflared reaches
 * the internet, cloudflared is pinned to a version Workers VPC works with and gets its token from
 * the env file, never from argv.
 * Returns one line per broken rule, so a test can show the checker is not vacuous.
 */
import { compareVersions, DEFAULT_ENV_FILE, DEFAULT_GATEWAY_HOSTNAME, DEFAULT_GATEWAY_PORT, ENV_FILE_KEYS, GATEWAY_ENV, MIN_CLOUDFLARED_VERSION } from "@mcpbox/shared";

export const GATEWAY_SERVICE = DEFAULT_GATEWAY_HOSTNAME;
export const CLOUDFLARED_SERVICE = "cloudflared";

type Service = Record<string, unknown>;

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function networksOf(service: Service): string[] {
  const n = service.networks;
  if (Array.isArray(n)) return n.map(String);
  return Object.keys(record(n));
}

function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === "string" ? value.split(/\s+/).filter(Boolean) : [];
}

function envFiles(service: Service): string[] {
  const e = service.env_file;
  const list = Array.isArray(e) ? e : e === undefined ? [] : [e];
  return list.map((item) => (typeof item === "string" ? item : String(record(item).path ?? "")));
}

function environment(service: Service): Record<string, string> {
  const e = service.environment;
  if (Array.isArray(e)) return Object.fromEntries(e.map((line) => String(line).split(/=(.*)/s).slice(0, 2) as [string, string]));
  return Object.fromEntries(Object.entries(record(e)).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** Every broken rule, as a sentence; empty when the file is sound. */
export function isolationProblems(compose: unknown): string[] {
  const problems: string[] = [];
  const services = record(record(compose).services);
  const networks = record(record(compose).networks);
  const internal = (name: string) => record(networks[name]).internal === true;
  const gateway = record(services[GATEWAY_SERVICE]);
  const cloudflared = record(services[CLOUDFLARED_SERVICE]);
  if (!services[GATEWAY_SERVICE]) problems.push(`no ${GATEWAY_SERVICE} service`);
  if (!services[CLOUDFLARED_SERVICE]) problems.push(`no ${CLOUDFLARED_SERVICE} service`);

  for (const [name, raw] of Object.entries(services)) {
    const service = record(raw);
    if (service.ports !== undefined) problems.push(`${name} publishes ports`);
    if (service.network_mode !== undefined) problems.push(`${name} sets network_mode`);
    if (service.privileged === true) problems.push(`${name} is privileged`);
    const onNetworks = networksOf(service);
    if (onNetworks.length === 0) problems.push(`${name} is on the default network`);
    if (name !== CLOUDFLARED_SERVICE) {
      for (const n of onNetworks) if (!internal(n)) problems.push(`${name} is on ${n}, which is not internal`);
    }
  }

  const gatewayNets = new Set(networksOf(gateway));
  const cloudflaredNets = networksOf(cloudflared);
  if (!cloudflaredNets.some((n) => gatewayNets.has(n))) problems.push("cloudflared shares no network with the gateway");
  if (!cloudflaredNets.some((n) => !internal(n))) problems.push("cloudflared has no way out");
  // An MCP server is any other service: it may share networks with the gateway, never with cloudflared.
  for (const [name, raw] of Object.entries(services)) {
    if (name === GATEWAY_SERVICE || name === CLOUDFLARED_SERVICE) continue;
    for (const n of networksOf(record(raw))) {
      if (cloudflaredNets.includes(n)) problems.push(`${name} shares ${n} with cloudflared`);
      if (!gatewayNets.has(n)) problems.push(`${name} is on ${n}, which the gateway is not on`);
    }
  }

  const image = String(cloudflared.image ?? "");
  const tag = /^cloudflare\/cloudflared:(\d{4}\.\d+\.\d+)$/.exec(image)?.[1];
  if (!tag) problems.push(`cloudflared image "${image}" is not the official image pinned to a release`);
  else if (compareVersions(tag, MIN_CLOUDFLARED_VERSION) < 0) problems.push(`cloudflared ${tag} is older than ${MIN_CLOUDFLARED_VERSION}`);
  const argv = [...words(cloudflared.entrypoint), ...words(cloudflared.command)];
  if (argv.join(" ") !== "tunnel --no-autoupdate run") problems.push(`cloudflared runs "${argv.join(" ")}", not "tunnel --no-autoupdate run"`);
  if (argv.some((w) => /token/i.test(w))) problems.push("cloudflared gets a token on its command line");
  if (ENV_FILE_KEYS.tunnelToken in environment(cloudflared)) problems.push("cloudflared's TUNNEL_TOKEN is written into the compose file");
  if (!envFiles(cloudflared).includes(DEFAULT_ENV_FILE)) problems.push(`cloudflared does not read ${DEFAULT_ENV_FILE}`);

  const env = environment(gateway);
  if (!envFiles(gateway).includes(DEFAULT_ENV_FILE)) problems.push(`the gateway does not read ${DEFAULT_ENV_FILE}`);
  if (ENV_FILE_KEYS.serviceToken in env) problems.push("the service token is written into the compose file");
  if (env[GATEWAY_ENV.host] !== "0.0.0.0") problems.push("the gateway does not listen on the container's interfaces (GATEWAY_HOST 0.0.0.0)");
  if (env[GATEWAY_ENV.port] !== String(DEFAULT_GATEWAY_PORT)) problems.push(`the gateway does not listen on ${DEFAULT_GATEWAY_PORT}`);
  if (gateway.read_only !== true) problems.push("the gateway's root file system is writable");
  if (gateway.user !== undefined && /^(0|root)(:|$)/.test(String(gateway.user))) problems.push("the gateway runs as root");
  const health = words(record(gateway.healthcheck).test).join(" ");
  if (!health.includes(`:${DEFAULT_GATEWAY_PORT}/health`)) problems.push("the gateway has no healthcheck on /health");
  return problems;
}

/** The commented `# my-mcp-server:` example, uncommented, as YAML lines under `services:`. */
export function commentedExample(text: string, name: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`  # ${name}:`));
  if (start < 0) return "";
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith("  #")) break;
    block.push(line.replace(/^ {2}# ?/, "  ").replace(/\s+#.*$/, ""));
  }
  return block.join("\n");
}
