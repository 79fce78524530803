/**
 * The wizard's configuration, read once: its port (MCPBOX_WIZARD_PORT, default 3000; it always
 * listens on 127.0.0.1, whatever the environment says), the state and env files (`--state`,
 * `--env-file`, named and defaulted as in the CLI), and the provisioner's own settings (API base,
 * child env).
 */
import { parseArgs } from "node:util";
import { DEFAULT_STATE_FILE } from "@mcpbox/shared";
import { REPO_ROOT } from "../bundle/wrangler-bundle";
import { loadConfig } from "../config";
import { DEFAULT_WIZARD_PORT, WIZARD_ENV } from "../defaults";
import { UsageError } from "../errors";
import { checkPort } from "../inputs";
import { defaultEnvFile } from "../run/context";
import type { WizardSettings } from "./operations";

/** The only address the wizard listens on: an admin surface, reachable from this machine only. */
export const WIZARD_BIND_HOST = "127.0.0.1" as const;

export interface WizardConfig {
  readonly port: number;
  readonly settings: WizardSettings;
}

export function loadWizardConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): WizardConfig {
  let values: { state?: string; "env-file"?: string };
  try {
    ({ values } = parseArgs({ args: argv[0] === "--" ? argv.slice(1) : [...argv], options: { state: { type: "string" }, "env-file": { type: "string" } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message, "npm run wizard accepts --state <file> and --env-file <file>.");
  }
  const rawPort = env[WIZARD_ENV.port]?.trim();
  let port: number = DEFAULT_WIZARD_PORT;
  if (rawPort) {
    const check = checkPort(rawPort, WIZARD_ENV.port);
    if (!check.ok) throw new UsageError(check.problem, `Unset ${WIZARD_ENV.port} to use ${DEFAULT_WIZARD_PORT}.`);
    port = check.value;
  }
  const provisioner = loadConfig(env);
  const statePath = values.state?.trim() || DEFAULT_STATE_FILE;
  return Object.freeze({
    port,
    settings: {
      statePath,
      // The CLI's default: gateway.env next to the state file.
      envFile: values["env-file"]?.trim() || defaultEnvFile(statePath),
      apiBaseUrl: provisioner.apiBaseUrl,
      childEnv: provisioner.childEnv,
      root: REPO_ROOT,
      deps: {},
    },
  });
}
