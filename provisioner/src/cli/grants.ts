/**
 * The CLI side of `grants list` / `grants revoke`: turns the parsed flags into a grant source
 * (the install's state, or the local stack's folder) and calls the library.
 */
import type { GrantsListResult, GrantsRevokeResult } from "../grants/commands";
import { runGrantsList, runGrantsRevoke } from "../grants/commands";
import { localStackDir } from "../grants/store-local";
import type { ProvisionOptions, RunDeps } from "../run/context";
import type { CliFlags } from "./args";
import type { GrantsCommand } from "./grants-args";

export async function runGrantsCommand(
  command: GrantsCommand,
  options: ProvisionOptions,
  flags: CliFlags,
  env: Readonly<Record<string, string | undefined>>,
  deps: Partial<RunDeps>,
): Promise<GrantsListResult | GrantsRevokeResult> {
  const grants = flags.grants;
  if (!grants) throw new Error(`${command} parsed without its flags`);
  const source =
    grants.source.kind === "local"
      ? { kind: "local" as const, dir: localStackDir(grants.source.dir, env) }
      : { kind: "cloudflare" as const, options };
  if (command === "grants list") return runGrantsList(source, grants.filter, deps);
  if (!grants.selector) throw new Error("grants revoke parsed without a selector");
  return runGrantsRevoke(source, grants.selector, { yes: flags.yes }, deps);
}
