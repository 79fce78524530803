/**
 * Entry point of `npm run connect [-- --env-file <file>] [--state <file>]`: wires runConnect to the
 * terminal. The first Ctrl-C (or SIGTERM) stops cloudflared and the gateway in order; a second
 * one stops them at once.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_ENV_FILE, DEFAULT_STATE_FILE } from "@mcpbox/shared";
import { runConnect, type Part } from "./run-connect";

const LABEL_WIDTH = "[cloudflared]".length;

function main(): void {
  let values: { "env-file"?: string; state?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== "--"),
      options: { "env-file": { type: "string" }, state: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    process.stderr.write(
      `${(error as Error).message}\nUsage: npm run connect -- [--env-file ${DEFAULT_ENV_FILE}] [--state ${DEFAULT_STATE_FILE}]\n`,
    );
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(
      `Usage: npm run connect -- [--env-file ${DEFAULT_ENV_FILE}] [--state ${DEFAULT_STATE_FILE}]\nRuns the gateway and cloudflared (from PATH) with the tokens setup wrote. Ctrl-C stops both.\n`,
    );
    return;
  }
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = () => (stop.signal.aborted ? force.abort() : stop.abort());
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const status = (part: Part, text: string) => process.stdout.write(`${`[${part}]`.padEnd(LABEL_WIDTH)} ${text}\n`);
  const envFile = values["env-file"] ?? DEFAULT_ENV_FILE;
  runConnect({
    envFile,
    // The provisioner keeps its state next to the env file unless told otherwise.
    statePath: values.state ?? path.join(path.dirname(envFile), path.basename(DEFAULT_STATE_FILE)),
    env: process.env,
    status,
    signal: stop.signal,
    force: force.signal,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      status("connect", `failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

main();
