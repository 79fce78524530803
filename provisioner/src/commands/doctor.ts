/**
 * `doctor`: diagnoses the three problems users hit, each finding saying what was checked, what was
 * seen and what to do: (1) the tunnel does not connect, (2) MCP requests get 403 because the
 * service token drifted between the state, --env-file, the Worker and the running gateway, and
 * (3) the sign-in redirect loop of a Zero Trust organization without an identity provider.
 */
import { ENV_FILE_KEYS, MIN_CLOUDFLARED_VERSION, SERVICE_TOKEN_SEPARATOR, WORKER_PATHS } from "@mcpbox/shared";
import { findLocalGateway, probeGatewayToken } from "../http/gateway-check";
import { compareVersions } from "../local/cloudflared";
import { openContext, type ProvisionOptions, type RunContext, type RunDeps } from "../run/context";
import { readEnvFile } from "../state/env-file";
import { secretsFingerprint, workerSecretValues } from "../worker-secrets";
import { stateAccount } from "./common";

export type DoctorArea = "tunnel" | "service-token" | "sign-in";

/** The three troubleshooting cases, in the order they are checked and shown, with their titles. */
export const DOCTOR_AREAS: ReadonlyArray<{ area: DoctorArea; title: string }> = [
  { area: "tunnel", title: "Tunnel not connecting" },
  { area: "service-token", title: "403 on MCP requests (service token)" },
  { area: "sign-in", title: "Sign-in redirect loop" },
];

export interface Finding {
  area: DoctorArea;
  check: string;
  status: "ok" | "problem" | "skipped";
  seen: string;
  action?: string;
}

export interface DoctorResult {
  command: "doctor";
  /** True when no finding is a problem. */
  ok: boolean;
  findings: Finding[];
  api: { requests: number; writes: number };
}

export async function runDoctor(options: ProvisionOptions, deps: Partial<RunDeps> = {}): Promise<DoctorResult> {
  const { ctx, release } = await openContext(options, deps, { lock: false });
  try {
    const accountId = stateAccount(ctx, "This setup");
    const findings = [...(await tunnelFindings(ctx, accountId)), ...(await tokenFindings(ctx, accountId)), ...(await signInFindings(ctx, accountId))];
    return { command: "doctor", ok: findings.every((f) => f.status !== "problem"), findings, api: { ...ctx.cf.stats } };
  } finally {
    await release();
  }
}

const QUIC_ADVICE = "cloudflared needs outbound UDP to port 7844 (QUIC): with only HTTP/2 allowed, Workers VPC requests fail with dns_error. Open UDP 7844 outbound, or run cloudflared where it is allowed.";

async function tunnelFindings(ctx: RunContext, accountId: string): Promise<Finding[]> {
  const area = "tunnel";
  const check = "the tunnel connects to Cloudflare";
  const known = ctx.state.tunnel;
  if (!known) return [{ area, check, status: "skipped", seen: "no tunnel in the state", action: "Run setup." }];
  const tunnel = await ctx.cf.tunnels.getTunnel(accountId, known.id);
  if (!tunnel || tunnel.deletedAt !== null) return [{ area, check, status: "problem", seen: `the tunnel ${known.id} no longer exists`, action: "Run setup to create it again." }];
  const findings: Finding[] = [];
  const local = await ctx.deps.cloudflaredVersion();
  if (tunnel.status !== "healthy" && tunnel.status !== "degraded") {
    const steps = [
      `Is cloudflared running? Start it with ${ENV_FILE_KEYS.tunnelToken} from ${ctx.options.envFile ?? "your env file (setup --env-file writes it)"}, e.g. \`docker compose up -d cloudflared\` or \`cloudflared tunnel run --token <TUNNEL_TOKEN>\`, and read its log.`,
      `It must be version ${MIN_CLOUDFLARED_VERSION} or newer${local ? ` (this machine has ${local}${compareVersions(local, MIN_CLOUDFLARED_VERSION) < 0 ? ": too old, upgrade it" : ""})` : ""}.`,
      QUIC_ADVICE,
    ];
    findings.push({ area, check, status: "problem", seen: `status "${tunnel.status}" with ${tunnel.connections.length} connection(s)`, action: steps.join(" ") });
  } else {
    findings.push({ area, check, status: "ok", seen: `status "${tunnel.status}" with ${tunnel.connections.length} connection(s)` });
  }
  const versions = [...new Set((await ctx.cf.tunnels.listTunnelClients(accountId, known.id)).map((c) => c.version).filter((v): v is string => Boolean(v)))];
  const old = versions.filter((v) => compareVersions(v, MIN_CLOUDFLARED_VERSION) < 0);
  if (versions.length > 0) {
    findings.push({
      area,
      check: `connected cloudflared is ${MIN_CLOUDFLARED_VERSION} or newer (Workers VPC)`,
      status: old.length > 0 ? "problem" : "ok",
      seen: `connector version(s): ${versions.join(", ")}`,
      ...(old.length > 0 ? { action: `Upgrade cloudflared (${old.join(", ")} is too old for Workers VPC), e.g. \`docker compose pull cloudflared && docker compose up -d cloudflared\`.` } : {}),
    });
  } else if (local && compareVersions(local, MIN_CLOUDFLARED_VERSION) < 0 && tunnel.status !== "inactive" && tunnel.status !== "down") {
    findings.push({ area, check: `cloudflared is ${MIN_CLOUDFLARED_VERSION} or newer`, status: "problem", seen: `this machine has cloudflared ${local}`, action: "Upgrade cloudflared." });
  }
  return findings;
}

async function tokenFindings(ctx: RunContext, accountId: string): Promise<Finding[]> {
  const area = "service-token";
  const findings: Finding[] = [];
  const current = ctx.state.secrets?.serviceToken;
  const previous = ctx.state.secrets?.previousServiceToken;
  if (!current) return [{ area, check: "the state has a service token", status: "skipped", seen: "no service token in the state", action: "Run setup." }];
  const fix = `Run \`secrets sync${ctx.options.envFile ? ` --env-file ${ctx.options.envFile}` : " --env-file <file>"}\`, then restart the gateway so it reads ${ENV_FILE_KEYS.serviceToken}.`;

  if (ctx.options.envFile) {
    const envTokens = ((await readEnvFile(ctx.options.envFile)).get(ENV_FILE_KEYS.serviceToken) ?? "").split(SERVICE_TOKEN_SEPARATOR).filter(Boolean);
    const ok = envTokens.includes(current);
    findings.push({
      area,
      check: `${ctx.options.envFile} has the state's service token`,
      status: ok ? "ok" : "problem",
      seen: envTokens.length === 0 ? `no ${ENV_FILE_KEYS.serviceToken} in the file` : ok ? `${envTokens.length} token(s), the current one among them` : `${envTokens.length} token(s), none of them the state's current token`,
      ...(ok ? {} : { action: fix }),
    });
  } else {
    findings.push({ area, check: "the env file has the state's service token", status: "skipped", seen: "no --env-file given", action: "Pass --env-file <file> to compare it." });
  }

  const secrets = workerSecretValues(ctx.state);
  if (ctx.state.worker && secrets.ok) {
    const names = new Set(await ctx.cf.workers.listSecretNames(accountId, ctx.state.worker.name));
    const pushed = secretsFingerprint(secrets.values) === ctx.state.secrets?.pushedFingerprint;
    const ok = names.has("MCPBOX_SERVICE_TOKEN") && pushed;
    findings.push({
      area,
      check: "the Worker sends the state's service token",
      status: ok ? "ok" : "problem",
      seen: !names.has("MCPBOX_SERVICE_TOKEN") ? "the Worker has no MCPBOX_SERVICE_TOKEN secret" : pushed ? "the secrets pushed last match the state" : "the state changed since the secrets were last pushed",
      ...(ok ? {} : { action: fix }),
    });
  }

  const gateway = await findLocalGateway(ctx.deps.http, ctx.options.gateway.host, ctx.options.gateway.port, ctx.options.gatewayUrl);
  if (!gateway.found) {
    findings.push({ area, check: "the running gateway accepts the state's service token", status: "skipped", seen: `gateway not reachable from here (tried ${gateway.tried.join(", ")}: ${gateway.seen})`, action: "Run doctor where the gateway runs, or name it with --gateway-url (the service token is sent there), to include this check." });
    return findings;
  }
  const probe = await probeGatewayToken(ctx.deps.http, gateway.baseUrl, current);
  if (probe.result === "rejected") {
    const prev = previous ? await probeGatewayToken(ctx.deps.http, gateway.baseUrl, previous) : undefined;
    findings.push({
      area,
      check: "the running gateway accepts the state's service token",
      status: "problem",
      seen: `${gateway.baseUrl}${WORKER_PATHS.mcp} answered 403 to it${prev?.result === "accepted" ? "; it still runs with the previous token" : ": it runs with another token"}`,
      action: fix,
    });
  } else {
    findings.push({
      area,
      check: "the running gateway accepts the state's service token",
      status: probe.result === "accepted" ? "ok" : "skipped",
      seen: probe.result === "accepted" ? `${gateway.baseUrl} accepted it (HTTP ${probe.status})` : probe.seen,
    });
  }
  return findings;
}

async function signInFindings(ctx: RunContext, accountId: string): Promise<Finding[]> {
  const area = "sign-in";
  const findings: Finding[] = [];
  const providers = await ctx.cf.access.listIdentityProviders(accountId);
  findings.push({
    area,
    check: "Zero Trust has an identity provider (else the sign-in redirects in a loop)",
    status: providers.length > 0 ? "ok" : "problem",
    seen: providers.length > 0 ? `${providers.map((p) => `${p.name} (${p.type})`).join(", ")}` : "no identity provider configured",
    ...(providers.length > 0 ? {} : { action: "Add one in Zero Trust › Settings › Authentication › Login methods (One-time PIN is the simplest), then sign in again." }),
  });
  const access = ctx.state.access;
  const url = ctx.state.worker?.url;
  if (access && url) {
    const app = await ctx.cf.access.getApp(accountId, access.appId);
    const expected = `${url}${WORKER_PATHS.callback}`;
    const ok = app?.redirectUris.includes(expected) ?? false;
    findings.push({
      area,
      check: `the Access application redirects to ${expected}`,
      status: ok ? "ok" : "problem",
      seen: app ? `redirect URIs: ${app.redirectUris.join(", ") || "none"}` : "the Access application no longer exists",
      ...(ok ? {} : { action: "Run setup to repair the Access application." }),
    });
  }
  return findings;
}
