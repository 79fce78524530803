/**
 * Step 3: the Workers VPC service (Connectivity Directory) of type http that routes through the
 * tunnel to --gateway-host:--gateway-port, resolved on the cloudflared side. Workers VPC rather
 * than a public tunnel hostname: the gateway gets no public hostname and no DNS route. A changed
 * host or port updates the service in place.
 */
import type { VpcService, VpcServiceSpec } from "../cloudflare/types";
import { confirmAdoption, markPending, recordCreated } from "../run/adopt";
import type { RunContext } from "../run/context";
import { requireAccount } from "./account";
import type { Step, StepPlan } from "./step";

interface VpcPlan extends StepPlan {
  service: VpcService | undefined;
  spec: VpcServiceSpec;
}

export const vpcServiceStep: Step<VpcPlan> = {
  name: "Workers VPC service",

  async find(ctx) {
    const accountId = requireAccount(ctx);
    const spec = desiredSpec(ctx);
    const service = await findService(ctx, accountId, spec.name);
    const plan: VpcPlan = { work: [], service, spec };
    if (!service) plan.work.push(`create the Workers VPC service "${spec.name}" → ${spec.hostname}:${spec.httpPort} through the tunnel`);
    else if (!matches(service, spec)) plan.work.push(`update the Workers VPC service "${spec.name}" → ${spec.hostname}:${spec.httpPort} through the tunnel`);
    return plan;
  },

  async create(ctx, plan) {
    const accountId = requireAccount(ctx);
    const { spec } = plan;
    if (!plan.service) {
      await markPending(ctx, "vpcService", spec.name);
      const created = await ctx.cf.tunnels.createVpcService(accountId, spec);
      await recordCreated(ctx, () => {
        ctx.state.vpcService = { id: created.id, name: created.name || spec.name };
      });
      ctx.deps.reporter.line(`+ created the Workers VPC service "${spec.name}" (${created.id}) → ${spec.hostname}:${spec.httpPort}`);
      plan.service = created;
    } else {
      plan.service = await ctx.cf.tunnels.updateVpcService(accountId, plan.service.id, spec);
      ctx.deps.reporter.line(`~ updated the Workers VPC service "${spec.name}" → ${spec.hostname}:${spec.httpPort}`);
    }
  },

  async verify(ctx, plan) {
    const service = plan.service;
    if (!service) return;
    if (service.tunnelId && service.tunnelId !== ctx.state.tunnel?.id) {
      ctx.deps.reporter.warn(`the service routes through tunnel ${service.tunnelId}, not ${ctx.state.tunnel?.id}`);
    }
  },
};

function desiredSpec(ctx: RunContext): VpcServiceSpec {
  const tunnelId = ctx.state.tunnel?.id;
  if (!tunnelId) throw new Error("internal: no tunnel before the VPC service step");
  return { name: ctx.options.names.vpcService, hostname: ctx.options.gateway.host, httpPort: ctx.options.gateway.port, tunnelId };
}

function matches(service: VpcService, spec: VpcServiceSpec): boolean {
  return service.type === "http" && service.hostname === spec.hostname && service.httpPort === spec.httpPort && service.tunnelId === spec.tunnelId;
}

async function findService(ctx: RunContext, accountId: string, name: string): Promise<VpcService | undefined> {
  const known = ctx.state.vpcService;
  if (known) {
    const service = await ctx.cf.tunnels.getVpcService(accountId, known.id);
    if (service) {
      ctx.deps.reporter.line(`✓ Workers VPC service "${service.name}" (${service.id}) → ${service.hostname}:${service.httpPort}`);
      return service;
    }
    ctx.deps.reporter.warn(`the Workers VPC service ${known.id} recorded in the state no longer exists; a new one will be set up`);
    delete ctx.state.vpcService;
  }
  if (ctx.facts.nameFree?.has("vpcService")) return undefined;
  const match = (await ctx.cf.tunnels.listVpcServices(accountId)).find((s) => s.name === name);
  if (!match) return undefined;
  await confirmAdoption(ctx, "vpcService", "Workers VPC service", match);
  ctx.state.vpcService = { id: match.id, name: match.name };
  delete ctx.state.pending;
  ctx.deps.reporter.line(`✓ Workers VPC service "${match.name}" (${match.id}) → ${match.hostname}:${match.httpPort}`);
  return match;
}
