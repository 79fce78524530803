/**
 * doctor's "tunnel not connecting" findings. Connectors are counted from GET …/connections (the
 * tunnel object's `connections` field is deprecated and documented to become empty), and each
 * problem names its fixes: cloudflared running and its log, its token (re-running setup fetches it
 * into the env file again), the minimum version for Workers VPC, and outbound UDP 7844 for QUIC.
 */
import { CLOUDFLARED_INSTALL_URL, compareVersions, ENV_FILE_KEYS, MIN_CLOUDFLARED_VERSION } from "@mcpbox/shared";
import { summarizeConnectors } from "../cloudflare/api-tunnels";
import type { RunContext } from "../run/context";
import { RESTART_CLOUDFLARED } from "./common";
import type { Finding } from "./doctor";

const QUIC_ADVICE =
  "cloudflared needs outbound UDP to port 7844 (QUIC): with only HTTP/2 allowed, Workers VPC requests fail with dns_error. Open UDP 7844 outbound, or run cloudflared where it is allowed.";

export async function tunnelFindings(ctx: RunContext, accountId: string): Promise<Finding[]> {
  const area = "tunnel";
  const check = "a cloudflared connector holds the tunnel open";
  const known = ctx.state.tunnel;
  if (!known) return [{ area, check, status: "skipped", seen: "no tunnel in the state", action: "Run setup." }];
  const tunnel = await ctx.cf.tunnels.getTunnel(accountId, known.id);
  if (!tunnel || tunnel.deletedAt !== null)
    return [{ area, check, status: "problem", seen: `the tunnel ${known.id} no longer exists`, action: "Run setup to create it again." }];
  const live = summarizeConnectors(await ctx.cf.tunnels.listTunnelClients(accountId, known.id));
  const local = await ctx.deps.cloudflaredVersion();
  const localTooOld = local !== undefined && compareVersions(local, MIN_CLOUDFLARED_VERSION) < 0;
  const findings: Finding[] = [];
  if (live.connections === 0) {
    const steps = [
      `Is cloudflared running? Start it with \`docker compose up -d\` or \`npm run connect\`, and read its log (\`docker compose logs cloudflared\`).`,
      `Its token is ${ENV_FILE_KEYS.tunnelToken} in ${ctx.options.envFile}; running setup again fetches the tunnel's token into that file, then restart cloudflared: ${RESTART_CLOUDFLARED}.`,
      `It must be version ${MIN_CLOUDFLARED_VERSION} or newer${local ? ` (this machine has ${local}${localTooOld ? ": too old" : ""})` : ""}; get it at ${CLOUDFLARED_INSTALL_URL}.`,
      QUIC_ADVICE,
    ];
    findings.push({
      area,
      check,
      status: "problem",
      seen: `status "${tunnel.status}", no cloudflared connected (the tunnel's connections list is empty)`,
      action: steps.join(" "),
      steps,
    });
  } else {
    findings.push({
      area,
      check,
      status: "ok",
      seen: `status "${tunnel.status}": ${live.connectors} connector(s) with ${live.connections} connection(s)`,
    });
  }
  const old = live.versions.filter((v) => compareVersions(v, MIN_CLOUDFLARED_VERSION) < 0);
  if (live.versions.length > 0) {
    findings.push({
      area,
      check: `connected cloudflared is ${MIN_CLOUDFLARED_VERSION} or newer (Workers VPC)`,
      status: old.length > 0 ? "problem" : "ok",
      seen: `connector version(s): ${live.versions.join(", ")}`,
      ...(old.length > 0
        ? {
            action: `Upgrade cloudflared (${old.join(", ")} is too old for Workers VPC): \`docker compose pull cloudflared && docker compose up -d cloudflared\`, or ${CLOUDFLARED_INSTALL_URL}.`,
          }
        : {}),
    });
  } else if (localTooOld) {
    findings.push({
      area,
      check: `cloudflared is ${MIN_CLOUDFLARED_VERSION} or newer`,
      status: "problem",
      seen: `this machine has cloudflared ${local}`,
      action: `Upgrade cloudflared: ${CLOUDFLARED_INSTALL_URL}.`,
    });
  }
  return findings;
}
