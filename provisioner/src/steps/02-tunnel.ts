/**
 * Step 2: the Cloudflare Tunnel, remotely managed (`config_src: cloudflare`), found by the id in
 * the state or by name, else created. Its run token goes to TUNNEL_TOKEN in the env file for
 * cloudflared, read again on every run. No public hostname and no DNS route: the Worker reaches it through Workers VPC.
 */
import { ENV_FILE_KEYS } from "@mcpbox/shared";
import { summarizeConnectors } from "../cloudflare/api-tunnels";
import type { Tunnel } from "../cloudflare/types";
import { confirmAdoption, markPending, recordCreated } from "../run/adopt";
import type { RunContext } from "../run/context";
import { readEnvFile, updateEnvFile } from "../state/env-file";
import { requireAccount } from "./account";
import type { Step, StepPlan } from "./step";

interface TunnelPlan extends StepPlan {
  tunnel: Tunnel | undefined;
  token: string | undefined;
}

export const tunnelStep: Step<TunnelPlan> = {
  name: "Cloudflare Tunnel",

  async find(ctx) {
    const accountId = requireAccount(ctx);
    const name = ctx.options.names.tunnel;
    const tunnel = await findTunnel(ctx, accountId, name);
    const plan: TunnelPlan = { work: [], tunnel, token: undefined };
    if (!tunnel) plan.work.push(`create the tunnel "${name}"`);
    // Every run reads the run token again, so a lost or rotated env file is repaired by re-running setup.
    if (tunnel) {
      plan.token = await ctx.cf.tunnels.getTunnelToken(accountId, tunnel.id);
      const env = await readEnvFile(ctx.options.envFile);
      if (env.get(ENV_FILE_KEYS.tunnelToken) !== plan.token) plan.work.push(`write ${ENV_FILE_KEYS.tunnelToken} to ${ctx.options.envFile}`);
    }
    return plan;
  },

  async create(ctx, plan) {
    const accountId = requireAccount(ctx);
    const name = ctx.options.names.tunnel;
    if (!plan.tunnel) {
      await markPending(ctx, "tunnel", name);
      const created = await ctx.cf.tunnels.createTunnel(accountId, name);
      await recordCreated(ctx, () => {
        ctx.state.tunnel = { id: created.id, name: created.name || name };
      });
      ctx.deps.reporter.line(`+ created the tunnel "${name}" (${created.id})`);
      plan.tunnel = created;
    }
    plan.token ??= await ctx.cf.tunnels.getTunnelToken(accountId, plan.tunnel.id);
    if (await updateEnvFile(ctx.options.envFile, { [ENV_FILE_KEYS.tunnelToken]: plan.token })) {
      ctx.deps.reporter.line(`+ wrote ${ENV_FILE_KEYS.tunnelToken} to ${ctx.options.envFile} (mode 0600)`);
    }
  },

  async verify(ctx, plan) {
    const tunnel = plan.tunnel;
    if (!tunnel) return;
    if (tunnel.configSrc && tunnel.configSrc !== "cloudflare") {
      ctx.deps.reporter.warn(`the tunnel is locally managed (config_src ${tunnel.configSrc}); that works for Workers VPC, but its ingress rules are yours to keep`);
    }
    if (tunnel.status === "healthy" || tunnel.status === "degraded") {
      const { connectors, connections } = summarizeConnectors(await ctx.cf.tunnels.listTunnelClients(requireAccount(ctx), tunnel.id));
      ctx.deps.reporter.line(`✓ tunnel ${tunnel.status}: ${connectors} cloudflared connector(s) with ${connections} connection(s)`);
    } else {
      ctx.deps.reporter.line(`tunnel ${tunnel.status}: start cloudflared with ${ENV_FILE_KEYS.tunnelToken} from ${ctx.options.envFile} (\`docker compose up -d\` or \`npm run connect\`)`);
    }
  },
};

/** The state's tunnel if it still exists; else one with our name (adopted only with consent). */
async function findTunnel(ctx: RunContext, accountId: string, name: string): Promise<Tunnel | undefined> {
  const known = ctx.state.tunnel;
  if (known) {
    const tunnel = await ctx.cf.tunnels.getTunnel(accountId, known.id);
    if (tunnel && tunnel.deletedAt === null) {
      ctx.deps.reporter.line(`✓ tunnel "${tunnel.name}" (${tunnel.id})`);
      return tunnel;
    }
    ctx.deps.reporter.warn(`the tunnel ${known.id} recorded in the state no longer exists; a new one will be set up`);
    delete ctx.state.tunnel;
  }
  if (ctx.facts.nameFree?.has("tunnel")) return undefined;
  const [match] = await ctx.cf.tunnels.listTunnels(accountId, name);
  if (!match) return undefined;
  await confirmAdoption(ctx, "tunnel", "tunnel", match);
  ctx.state.tunnel = { id: match.id, name: match.name };
  delete ctx.state.pending;
  ctx.deps.reporter.line(`✓ tunnel "${match.name}" (${match.id})`);
  return match;
}
