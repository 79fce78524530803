/**
 * Entry point of `npm run wizard`: the Remote Access page on 127.0.0.1. Prints the one-time link
 * to open; a taken port prints one line naming MCPBOX_WIZARD_PORT. Ctrl-C stops it.
 */
import { WIZARD_ENV } from "../defaults";
import { ProvisionerError } from "../errors";
import { loadWizardConfig } from "./config";
import { startWizardServer } from "./server";

async function main(): Promise<number> {
  let config;
  try {
    config = loadWizardConfig(process.env, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ProvisionerError)) throw error;
    process.stderr.write(`✗ ${error.message}${error.hint ? ` ${error.hint}` : ""}\n`);
    return 2;
  }
  let handle;
  try {
    handle = await startWizardServer({ settings: config.settings, port: config.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EADDRINUSE" && code !== "EACCES") throw error;
    process.stderr.write(`✗ Port ${config.port} on 127.0.0.1 is ${code === "EADDRINUSE" ? "in use" : "not allowed"}: set ${WIZARD_ENV.port} to a free port, e.g. ${WIZARD_ENV.port}=${config.port + 1} npm run wizard\n`);
    return 1;
  }
  process.stdout.write(
    [
      "MCPbox Remote Access wizard is running. Open this link in your browser (it works once, for this browser):",
      "",
      `  ${handle.launchUrl}`,
      "",
      `State: ${config.settings.statePath}   Env file for the home side: ${config.settings.envFile}`,
      "Ctrl-C stops the wizard.",
      "",
    ].join("\n"),
  );
  const stop = () => {
    void handle.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise<number>(() => {});
}

process.exitCode = await main();
