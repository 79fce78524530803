/**
 * Command-line parsing (pure): the commands and flags of the design's CLI contract, validated
 * with messages that name the flag. `--set-secrets` is another spelling of `secrets sync`.
 */
import { parseArgs } from "node:util";
import { DEFAULT_STATE_FILE, MAX_ACCESS_TOKEN_TTL_SECONDS, MIN_ACCESS_TOKEN_TTL_SECONDS, parseOriginList } from "@mcpbox/shared";
import { parseAllowFlag } from "../allow";
import { UsageError } from "../errors";
import { checkInput, checkPort, INPUT_RULES, type InputRule } from "../inputs";
import type { AllowRule } from "../state/state";
import { GRANTS_OPTIONS, parseGrantsFlags, type GrantsFlags } from "./grants-args";

const COMMANDS = ["setup", "status", "doctor", "secrets sync", "rotate-service-token", "teardown", "grants list", "grants revoke"] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CliFlags {
  apiToken: string | undefined;
  accountId: string | undefined;
  tunnelName: string | undefined;
  vpcServiceName: string | undefined;
  workerName: string | undefined;
  gatewayHost: string | undefined;
  gatewayPort: number | undefined;
  /** `--gateway-url`: where doctor and rotate-service-token may send the service token besides loopback. */
  gatewayUrl: string | undefined;
  allow: AllowRule | undefined;
  corsOrigins: string[] | undefined;
  accessTokenTtlSeconds: number | undefined;
  statePath: string;
  envFile: string | undefined;
  yes: boolean;
  json: boolean;
  adopt: boolean;
  verify: boolean;
  finish: boolean;
  /** Set for `grants list` and `grants revoke`. */
  grants: GrantsFlags | undefined;
}

export type CliArgs = { command: "help" } | { command: CommandName; flags: CliFlags };

const OPTIONS = {
  "api-token": { type: "string" },
  "account-id": { type: "string" },
  "tunnel-name": { type: "string" },
  "vpc-service-name": { type: "string" },
  "worker-name": { type: "string" },
  "gateway-host": { type: "string" },
  "gateway-port": { type: "string" },
  "gateway-url": { type: "string" },
  allow: { type: "string" },
  "cors-origins": { type: "string" },
  "access-token-ttl": { type: "string" },
  state: { type: "string" },
  "env-file": { type: "string" },
  yes: { type: "boolean", short: "y" },
  json: { type: "boolean" },
  adopt: { type: "boolean" },
  "no-verify": { type: "boolean" },
  "set-secrets": { type: "boolean" },
  finish: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...GRANTS_OPTIONS,
} as const;

/** Parses argv (without the node and script paths). Throws UsageError. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  // A leading `--` (from `node -- cli.ts -- …` style launchers) separates nothing here.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  const command = commandOf(positionals, values["set-secrets"] === true);
  if (values.finish && command !== "rotate-service-token") throw new UsageError("--finish belongs to rotate-service-token.");
  if (values["gateway-url"] !== undefined && command !== "doctor" && command !== "rotate-service-token") throw new UsageError("--gateway-url belongs to doctor and rotate-service-token.");
  const flags: CliFlags = {
    apiToken: nonEmpty(values["api-token"], "--api-token"),
    accountId: ruled(values["account-id"], INPUT_RULES.accountId),
    tunnelName: ruled(values["tunnel-name"], INPUT_RULES.tunnelName),
    vpcServiceName: ruled(values["vpc-service-name"], INPUT_RULES.vpcServiceName),
    workerName: ruled(values["worker-name"], INPUT_RULES.workerName),
    gatewayHost: ruled(values["gateway-host"], INPUT_RULES.gatewayHost),
    gatewayPort: parsePort(values["gateway-port"]),
    gatewayUrl: parseGatewayUrl(values["gateway-url"]),
    allow: values.allow === undefined ? undefined : parseAllowFlag(values.allow),
    corsOrigins: parseCorsOrigins(values["cors-origins"]),
    accessTokenTtlSeconds: parseTokenTtl(values["access-token-ttl"]),
    statePath: nonEmpty(values.state, "--state") ?? DEFAULT_STATE_FILE,
    envFile: nonEmpty(values["env-file"], "--env-file"),
    yes: values.yes === true,
    json: values.json === true,
    adopt: values.adopt === true,
    verify: values["no-verify"] !== true,
    finish: values.finish === true,
    grants: parseGrantsFlags(command, values),
  };
  return { command, flags };
}

function commandOf(positionals: readonly string[], setSecrets: boolean): CommandName {
  const words = positionals.join(" ");
  if (setSecrets) {
    if (words !== "" && words !== "secrets sync") throw new UsageError(`--set-secrets is the command "secrets sync"; it cannot be combined with "${words}".`);
    return "secrets sync";
  }
  if (words === "") throw new UsageError("No command given.");
  const command = COMMANDS.find((c) => c === words);
  if (!command) throw new UsageError(`Unknown command "${words}".`, `Commands: ${COMMANDS.join(", ")}. Run with --help for details.`);
  return command;
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new UsageError(`${flag} needs a value.`);
  return value.trim();
}

function ruled(value: string | undefined, rule: InputRule): string | undefined {
  if (value === undefined) return undefined;
  const check = checkInput(rule, value, rule.flag);
  if (!check.ok) throw new UsageError(check.problem);
  return check.value;
}

/** `--cors-origins https://a.example,https://b.example` (an empty value clears the list). */
function parseCorsOrigins(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    return parseOriginList(value);
  } catch (error) {
    throw new UsageError(`--cors-origins: ${(error as Error).message}.`);
  }
}

function parseTokenTtl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= MIN_ACCESS_TOKEN_TTL_SECONDS && seconds <= MAX_ACCESS_TOKEN_TTL_SECONDS)) {
    throw new UsageError(`--access-token-ttl "${value}" is not valid: expected whole seconds from ${MIN_ACCESS_TOKEN_TTL_SECONDS} to ${MAX_ACCESS_TOKEN_TTL_SECONDS}.`);
  }
  return seconds;
}

/**
 * `--gateway-url`: an http(s) origin (no credentials, path, query or fragment), returned without a
 * trailing slash. The service token is sent there, so it must be exactly what the user named.
 */
function parseGatewayUrl(value: string | undefined): string | undefined {
  const v = nonEmpty(value, "--gateway-url");
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new UsageError("--gateway-url is not a URL.", "Give the gateway's address, e.g. --gateway-url http://mcp-gateway:8002");
  }
  const bare = url.username === "" && url.password === "" && (url.pathname === "/" || url.pathname === "") && url.search === "" && url.hash === "";
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !bare) {
    throw new UsageError("--gateway-url must be an http:// or https:// origin without credentials, path or query.", "For example --gateway-url http://mcp-gateway:8002");
  }
  return url.origin;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const check = checkPort(value, "--gateway-port");
  if (!check.ok) throw new UsageError(check.problem);
  return check.value;
}
