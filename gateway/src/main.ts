/**
 * Entry point (`npm run gateway`): loads the configuration from the environment, starts the
 * gateway, prints one ready line, and shuts down gracefully on SIGTERM/SIGINT (a second signal
 * exits at once). A configuration mistake prints every problem and exits with status 1.
 */
import { ConfigError, loadConfig } from "./config";
import { PolicyFileError } from "./policy/runtime";
import { stderrLogger } from "./logger";
import { startGateway } from "./server";

async function main(): Promise<void> {
  let config;
  let gateway;
  try {
    config = loadConfig(process.env);
    gateway = await startGateway(config, { log: stderrLogger });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PolicyFileError) {
      process.stderr.write(`mcpbox gateway: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      stderrLogger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    stderrLogger.info(`${signal}: draining in-flight requests (up to ${config.drainMs} ms)`);
    gateway.close().then(
      () => {
        stderrLogger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        stderrLogger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // The tool policy reloads on SIGHUP; a broken file keeps the last good one (the log says why).
  // Without a policy SIGHUP keeps its default meaning (the process ends).
  if (config.policyPath) process.on("SIGHUP", () => void gateway.reloadPolicy("SIGHUP"));
  // Ready only once the signals are handled: a supervisor may signal as soon as it reads this line.
  stderrLogger.info(
    `ready on ${gateway.url} (serving /mcp and /health; upstream: ${gateway.upstream.description}; audit log: ${config.auditLogPath ?? "stdout"}${config.policyPath ? `; tool policy: ${config.policyPath}` : ""})`,
  );
}

main().catch((error: unknown) => {
  stderrLogger.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
