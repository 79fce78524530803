/**
 * `doctor`: diagnoses the three problems users hit, each finding saying what was checked, what was
 * seen and what to do: (1) the tunnel does not connect, (2) MCP requests get 403 because the
 * service token drifted between the state, the env file, the Worker and the running gateway, and
 * (3) the sign-in redirect loop of a Zero Trust organization without an identity provider.
 */
import { ENV_FILE_KEYS, SERVICE_TOKEN_SEPARATOR, WORKER_PATHS } from "@mcpbox/shared";
import { findLocalGateway, probeGatewayToken } from "../http/gateway-check";
import { openContext, type ProvisionOptions, type RunContext, type RunDeps } from "../run/context";
import { readEnvFile } from "../state/env-file";
import { secretsFingerprint, workerSecretValues } from "../worker-secrets";
import { RESTART_GATEWAY, stateAccount } from "./common";
import { tunnelFindings } from "./doctor-tunnel";

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
  /** When the fix is several things to try: each on its own (`action` joins them), for interfaces that list them. */
  steps?: string[];
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
    const findings = [
      ...(await tunnelFindings(ctx, accountId)),
      ...(await tokenFindings(ctx, accountId)),
      ...(await signInFindings(ctx, accountId)),
    ];
    return { command: "doctor", ok: findings.every((f) => f.status !== "problem"), findings, api: { ...ctx.cf.stats } };
  } finally {
    await release();
  }
}

async function tokenFindings(ctx: RunContext, accountId: string): Promise<Finding[]> {
  const area = "service-token";
  const findings: Finding[] = [];
  const current = ctx.state.secrets?.serviceToken;
  const previous = ctx.state.secrets?.previousServiceToken;
  if (!current)
    return [
      { area, check: "the state has a service token", status: "skipped", seen: "no service token in the state", action: "Run setup." },
    ];
  const fix = `Run \`secrets sync\`, then restart the gateway so it reads ${ENV_FILE_KEYS.serviceToken} from ${ctx.options.envFile}: ${RESTART_GATEWAY}.`;

  const envTokens = ((await readEnvFile(ctx.options.envFile)).get(ENV_FILE_KEYS.serviceToken) ?? "")
    .split(SERVICE_TOKEN_SEPARATOR)
    .filter(Boolean);
  const envOk = envTokens.includes(current);
  findings.push({
    area,
    check: `${ctx.options.envFile} has the state's service token`,
    status: envOk ? "ok" : "problem",
    seen:
      envTokens.length === 0
        ? `no ${ENV_FILE_KEYS.serviceToken} in the file`
        : envOk
          ? `${envTokens.length} token(s), the current one among them`
          : `${envTokens.length} token(s), none of them the state's current token`,
    ...(envOk ? {} : { action: fix }),
  });

  const secrets = workerSecretValues(ctx.state);
  if (ctx.state.worker && secrets.ok) {
    const names = new Set(await ctx.cf.workers.listSecretNames(accountId, ctx.state.worker.name));
    const pushed = secretsFingerprint(secrets.values) === ctx.state.secrets?.pushedFingerprint;
    const ok = names.has("MCPBOX_SERVICE_TOKEN") && pushed;
    findings.push({
      area,
      check: "the Worker sends the state's service token",
      status: ok ? "ok" : "problem",
      seen: !names.has("MCPBOX_SERVICE_TOKEN")
        ? "the Worker has no MCPBOX_SERVICE_TOKEN secret"
        : pushed
          ? "the secrets pushed last match the state"
          : "the state changed since the secrets were last pushed",
      ...(ok ? {} : { action: fix }),
    });
  }

  const gateway = await findLocalGateway(ctx.deps.http, ctx.options.gateway.host, ctx.options.gateway.port, ctx.options.gatewayUrl);
  if (!gateway.found) {
    findings.push({
      area,
      check: "the running gateway accepts the state's service token",
      status: "skipped",
      seen: `gateway not reachable from here (tried ${gateway.tried.join(", ")}: ${gateway.seen})`,
      action: "Run doctor where the gateway runs, or name it with --gateway-url (the service token is sent there), to include this check.",
    });
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
    ...(providers.length > 0
      ? {}
      : {
          action: "Add one in Zero Trust › Settings › Authentication › Login methods (One-time PIN is the simplest), then sign in again.",
        }),
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
