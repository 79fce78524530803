/**
 * Step 5's last job: the deployed Worker checked live, once it has its secrets. `/health` must
 * answer, and `/mcp` must ask for OAuth (401 with `resource_metadata`); a new workers.dev route
 * may take minutes to appear, so the check polls, and `--no-verify` skips it.
 */
import { WORKER_PATHS } from "@mcpbox/shared";
import { VerifyError } from "../errors";
import { waitForWorker } from "../http/worker-check";
import type { RunContext } from "../run/context";

/** Waits for the Worker to answer as deployed; throws VerifyError with what it saw otherwise. */
export async function checkWorkerLive(ctx: RunContext): Promise<void> {
  const url = ctx.state.worker?.url;
  if (!ctx.options.verify || !url) return;
  const check = await ctx.deps.reporter.wait(`waiting for ${url} to answer`, () =>
    waitForWorker(ctx.deps.http, url, {
      attempts: ctx.deps.workerPollAttempts,
      intervalMs: ctx.deps.workerPollIntervalMs,
      sleep: ctx.deps.sleep,
      checkAbort: ctx.checkAbort,
    }),
  );
  if (!check.health.ok || !check.mcp.ok) {
    const seen = [!check.health.ok ? `${WORKER_PATHS.health}: ${check.health.seen}` : "", !check.mcp.ok ? `${WORKER_PATHS.mcp}: ${check.mcp.seen}` : ""].filter(Boolean).join("; ");
    throw new VerifyError(
      `The Worker at ${url} does not answer as expected yet (${seen}).`,
      "A new workers.dev route can take a few minutes to appear. Run setup again in a minute: it changes nothing that is in place and checks again (or pass --no-verify to skip the check).",
    );
  }
  ctx.deps.reporter.line(`✓ ${url}${WORKER_PATHS.health} answers, and ${WORKER_PATHS.mcp} asks for OAuth (401 with resource_metadata)`);
}
