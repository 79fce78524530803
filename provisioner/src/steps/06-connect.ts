/**
 * Step 6: connect. Nothing to create: checks that every earlier step left its mark in the state
 * and prints how to start the home side, and the MCP URL with ready-to-paste configuration for
 * claude.ai, Cursor and mcp-remote.
 */
import { clientConfigs, formatClientConfigs } from "../connect";
import type { Step, StepPlan } from "./step";

export const connectStep: Step<StepPlan> = {
  name: "Connect your MCP client",
  readOnly: true,

  async find(ctx) {
    const missing = [
      !ctx.state.tunnel && "tunnel",
      !ctx.state.vpcService && "Workers VPC service",
      !ctx.state.worker?.url && "Worker",
      !ctx.state.access && "Access application",
      !ctx.state.secrets?.pushedFingerprint && "Worker secrets",
    ].filter((m): m is string => typeof m === "string");
    if (missing.length > 0) throw new Error(`internal: setup reached the last step without: ${missing.join(", ")}`);
    return { work: [] };
  },

  async create() {},

  async verify(ctx) {
    const url = ctx.state.worker?.url;
    if (!url) return;
    ctx.deps.reporter.line(
      `Start the home side next to your MCP server: \`docker compose up -d\`, or \`npm run connect\` without Docker (both read ${ctx.options.envFile}).`,
    );
    ctx.deps.reporter.line("");
    for (const line of formatClientConfigs(clientConfigs(url))) ctx.deps.reporter.line(line);
  },
};
