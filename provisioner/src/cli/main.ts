/**
 * The CLI's wiring: argv → options → command → output and exit code. Flags and prompts share one
 * path (prompts only on a TTY without --yes/--json). Everything external is in `CliIo`, so tests
 * run the real CLI in-process.
 */
import { PROVISIONER_ENV } from "@mcpbox/shared";
import { runDoctor } from "../commands/doctor";
import { runRotateServiceToken } from "../commands/rotate";
import { runSecretsSync } from "../commands/secrets-sync";
import { runSetup } from "../commands/setup";
import { runStatus } from "../commands/status";
import { runTeardown } from "../commands/teardown";
import { loadConfig } from "../config";
import { runGrantsCommand } from "./grants";
import { UsageError } from "../errors";
import type { ProvisionOptions, RunDeps } from "../run/context";
import { createTtyPrompter, nonInteractivePrompter } from "../run/prompt";
import { createReporter, type WritableLike } from "../run/reporter";
import { parseCliArgs, type CliArgs, type CliFlags, type CommandName } from "./args";
import { helpText } from "./help";
import { describeError } from "../run/error-report";
import { EXIT, exitCodeOf, formatError, formatResult, type CommandResult } from "./output";

export interface CliIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: WritableLike & { isTTY?: boolean };
  stderr: WritableLike;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Dependency overrides (tests: fake bundler, no-wait sleep, HTTP for checks). */
  deps?: Partial<RunDeps>;
}

/** Runs one CLI invocation and returns the exit code. */
export async function main(io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(io.argv);
  } catch (error) {
    return fail(io, "usage", error, io.argv.includes("--json"));
  }
  if (args.command === "help") {
    io.stdout.write(helpText());
    return EXIT.ok;
  }
  const { command, flags } = args;
  try {
    const config = loadConfig(io.env);
    const apiToken = flags.apiToken ?? config.apiToken;
    // Only the local stack's grant store needs no API token.
    if (!apiToken && flags.grants?.source.kind !== "local") {
      throw new UsageError(
        "No Cloudflare API token.",
        `Set ${PROVISIONER_ENV.apiToken} (keeps the token out of your shell history), or pass --api-token. Run with --help for the permissions it needs.`,
      );
    }
    const tty = io.stdout.isTTY === true && io.stdin?.isTTY === true;
    const interactive = tty && !flags.yes && !flags.json && io.stdin !== undefined;
    const progress = flags.json ? io.stderr : io.stdout;
    const deps: Partial<RunDeps> = {
      reporter: createReporter(progress, tty && !flags.json),
      prompter: interactive && io.stdin ? createTtyPrompter(io.stdin, io.stderr as NodeJS.WritableStream) : nonInteractivePrompter,
      childEnv: config.childEnv,
      signal: io.signal,
      ...withoutFetch(io.deps),
      apiFetch: withSignal(io.deps?.apiFetch ?? globalThis.fetch, io.signal),
      http: withSignal(io.deps?.http ?? globalThis.fetch, io.signal),
    };
    const options: ProvisionOptions = {
      apiToken: apiToken ?? "",
      apiBaseUrl: config.apiBaseUrl,
      statePath: flags.statePath,
      envFile: flags.envFile,
      accountId: flags.accountId,
      tunnelName: flags.tunnelName,
      vpcServiceName: flags.vpcServiceName,
      workerName: flags.workerName,
      gatewayHost: flags.gatewayHost,
      gatewayPort: flags.gatewayPort,
      gatewayUrl: flags.gatewayUrl,
      allow: flags.allow,
      corsOrigins: flags.corsOrigins,
      accessTokenTtlSeconds: flags.accessTokenTtlSeconds,
      yes: flags.yes,
      adopt: flags.adopt,
      verify: flags.verify,
    };
    const result = await dispatch(command, options, flags, deps, io.env);
    if (flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(formatResult(result));
    return result.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    return fail(io, command, error, flags.json);
  }
}

function dispatch(
  command: CommandName,
  options: ProvisionOptions,
  flags: CliFlags,
  deps: Partial<RunDeps>,
  env: CliIo["env"],
): Promise<CommandResult> {
  switch (command) {
    case "setup":
      return runSetup(options, deps);
    case "status":
      return runStatus(options, deps);
    case "doctor":
      return runDoctor(options, deps);
    case "secrets sync":
      return runSecretsSync(options, deps);
    case "rotate-service-token":
      return runRotateServiceToken({ ...options, finish: flags.finish }, deps);
    case "teardown":
      return runTeardown(options, deps);
    case "grants list":
    case "grants revoke":
      return runGrantsCommand(command, options, flags, env, deps);
  }
}

function fail(io: CliIo, command: string, error: unknown, json: boolean): number {
  const report = describeError(error);
  const exitCode = exitCodeOf(report);
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, command, error: report }, null, 2)}\n`);
  else io.stderr.write(formatError(report));
  return exitCode;
}

/** A fetch whose requests are also aborted by `signal` (Ctrl-C). */
function withSignal(base: typeof fetch, signal: AbortSignal | undefined): typeof fetch {
  if (!signal) return base;
  return ((input: string | URL | Request, init?: RequestInit) =>
    base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })) as typeof fetch;
}

/** Overrides other than the two fetches, which withSignal already wrapped. */
function withoutFetch(deps: Partial<RunDeps> | undefined): Partial<RunDeps> {
  if (!deps) return {};
  const { apiFetch: _apiFetch, http: _http, ...rest } = deps;
  return rest;
}
