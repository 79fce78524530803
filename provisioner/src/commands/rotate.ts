/**
 * `rotate-service-token`: a new service token with an overlap. The env file first gets
 * `new,previous` (the gateway accepts both once restarted), then the Worker switches to the new
 * one. `rotate-service-token --finish` ends the overlap: the env file keeps only the new token.
 */
import { ENV_FILE_KEYS, SERVICE_TOKEN_BYTES } from "@mcpbox/shared";
import { NotSetUpError, ProvisionerError } from "../errors";
import { findLocalGateway, probeGatewayToken } from "../http/gateway-check";
import { openContext, type ProvisionOptions, type RunContext, type RunDeps } from "../run/context";
import { RESTART_GATEWAY } from "./common";
import { syncSecrets } from "./secrets-sync";

export interface RotateResult {
  command: "rotate-service-token";
  ok: true;
  phase: "started" | "finished";
  /** True while the gateway should accept both tokens. */
  overlap: boolean;
  /** Whether the Worker now sends the new token. */
  workerUpdated: boolean;
  envFileUpdated: boolean;
  /** What the local gateway said about the new token, when it could be reached. */
  gateway: "accepts-new-token" | "rejects-new-token" | "not-reachable";
  api: { requests: number; writes: number };
}

export interface RotateOptions extends ProvisionOptions {
  /** End the overlap started by a previous rotation. */
  finish?: boolean;
}

export async function runRotateServiceToken(options: RotateOptions, deps: Partial<RunDeps> = {}): Promise<RotateResult> {
  const { ctx, release } = await openContext(options, deps, { lock: true });
  try {
    return options.finish ? await finish(ctx) : await start(ctx);
  } finally {
    await release();
  }
}

/** The result of either phase: the overlap lasts from "started" until "finished". */
function rotateResult(
  ctx: RunContext,
  phase: RotateResult["phase"],
  outcome: Pick<RotateResult, "workerUpdated" | "envFileUpdated" | "gateway">,
): RotateResult {
  return { command: "rotate-service-token", ok: true, phase, overlap: phase === "started", ...outcome, api: { ...ctx.cf.stats } };
}

async function start(ctx: RunContext): Promise<RotateResult> {
  const secrets = ctx.state.secrets;
  if (!ctx.state.worker || !secrets?.serviceToken) throw new NotSetUpError("The service token", ctx.options.statePath);
  if (secrets.previousServiceToken) {
    throw new ProvisionerError(
      "usage",
      "A rotation is already in progress: the gateway still accepts the previous token.",
      "Restart the gateway with the env file's tokens, then end the overlap with `rotate-service-token --finish` before rotating again.",
    );
  }
  secrets.previousServiceToken = secrets.serviceToken;
  secrets.serviceToken = ctx.deps.randomBytes(SERVICE_TOKEN_BYTES).toString("hex");
  // Saved before anything else: an interrupted rotation resumes with `secrets sync`.
  await ctx.save();
  ctx.deps.reporter.line(`+ generated a new service token (kept in ${ctx.options.statePath})`);
  const { envFileUpdated } = await syncSecrets(ctx, false);
  const gateway = await checkGateway(ctx, secrets.serviceToken);
  if (gateway === "rejects-new-token") {
    ctx.deps.reporter.warn(
      `the local gateway does not accept the new token yet: restart it so it reads ${ENV_FILE_KEYS.serviceToken} from ${ctx.options.envFile}: ${RESTART_GATEWAY}`,
    );
    if (
      ctx.deps.prompter.interactive &&
      !(await ctx.deps.prompter.confirm("Has the gateway been restarted? The Worker switches to the new token next.", {
        yes: "Yes, switch the Worker now",
        no: "Not yet",
      }))
    ) {
      ctx.deps.reporter.line(
        "The Worker still sends the previous token. Once the gateway has restarted, run `secrets sync`, then `rotate-service-token --finish`.",
      );
      return rotateResult(ctx, "started", { workerUpdated: false, envFileUpdated, gateway });
    }
  }
  await syncSecrets(ctx, true);
  ctx.deps.reporter.line(
    "Restart the gateway if it is not yet using the new token, then end the overlap with `rotate-service-token --finish`.",
  );
  return rotateResult(ctx, "started", { workerUpdated: true, envFileUpdated, gateway });
}

async function finish(ctx: RunContext): Promise<RotateResult> {
  const secrets = ctx.state.secrets;
  if (!secrets?.serviceToken) throw new NotSetUpError("The service token", ctx.options.statePath);
  if (!secrets.previousServiceToken) {
    ctx.deps.reporter.line("✓ no rotation in progress: nothing to finish");
    return rotateResult(ctx, "finished", { workerUpdated: false, envFileUpdated: false, gateway: "not-reachable" });
  }
  delete secrets.previousServiceToken;
  await ctx.save();
  const { envFileUpdated } = await syncSecrets(ctx, false);
  ctx.deps.reporter.line(
    `✓ overlap ended: only the new token is valid once the gateway restarts with ${ctx.options.envFile} (${RESTART_GATEWAY})`,
  );
  const gateway = await checkGateway(ctx, secrets.serviceToken);
  return rotateResult(ctx, "finished", { workerUpdated: false, envFileUpdated, gateway });
}

async function checkGateway(ctx: RunContext, token: string): Promise<RotateResult["gateway"]> {
  const lookup = await findLocalGateway(ctx.deps.http, ctx.options.gateway.host, ctx.options.gateway.port, ctx.options.gatewayUrl);
  if (!lookup.found) return "not-reachable";
  const probe = await probeGatewayToken(ctx.deps.http, lookup.baseUrl, token);
  if (probe.result === "rejected") return "rejects-new-token";
  return probe.result === "accepted" ? "accepts-new-token" : "not-reachable";
}
