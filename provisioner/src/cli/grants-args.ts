/**
 * The flags of `grants list` and `grants revoke` (pure): which store (`--local`, `--dev-dir`), and
 * which grants (`--user`, `--client`, `--grant`, `--all`), validated with messages naming the flag.
 */
import { isValidEmail } from "@mcpbox/shared";
import { UsageError } from "../errors";
import type { GrantFilter, GrantSelector } from "../grants/grants";

export const GRANTS_OPTIONS = {
  user: { type: "string" },
  client: { type: "string" },
  grant: { type: "string" },
  all: { type: "boolean" },
  local: { type: "boolean" },
  "dev-dir": { type: "string" },
} as const;

export type GrantsCommand = "grants list" | "grants revoke";

export interface GrantsFlags {
  /** The local stack's KV (`dir` undefined: MCPBOX_DEV_DIR or `.mcpbox-dev`), or the install's through the API. */
  source: { kind: "cloudflare" } | { kind: "local"; dir: string | undefined };
  /** `grants list`: the filter (possibly empty). */
  filter: GrantFilter;
  /** `grants revoke`: what to revoke. */
  selector: GrantSelector | undefined;
}

type GrantsValues = { user?: string; client?: string; grant?: string; all?: boolean; local?: boolean; "dev-dir"?: string };

const ID_PATTERN = /^[\x21-\x7e]{1,2048}$/;
const GRANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Grants flags for a grants command; for any other command, refuses them and returns undefined. */
export function parseGrantsFlags(command: string, values: GrantsValues): GrantsFlags | undefined {
  const given = (Object.keys(GRANTS_OPTIONS) as Array<keyof GrantsValues>).filter((name) => values[name] !== undefined && values[name] !== false);
  if (command !== "grants list" && command !== "grants revoke") {
    if (given.length > 0) throw new UsageError(`--${given[0]} belongs to \`grants list\` and \`grants revoke\`.`);
    return undefined;
  }
  const devDir = values["dev-dir"]?.trim();
  if (values["dev-dir"] !== undefined && !devDir) throw new UsageError("--dev-dir needs a value.");
  const source: GrantsFlags["source"] = values.local || devDir ? { kind: "local", dir: devDir || undefined } : { kind: "cloudflare" };
  const filter: GrantFilter = {};
  if (values.user !== undefined) filter.user = parseUser(values.user);
  if (values.client !== undefined) filter.client = match(values.client, ID_PATTERN, "--client", "a client id as `grants list` shows it");
  if (values.grant !== undefined) filter.grant = match(values.grant, GRANT_ID_PATTERN, "--grant", "a grant id as `grants list` shows it");

  if (command === "grants list") {
    if (values.all) throw new UsageError("--all belongs to `grants revoke`; `grants list` lists every grant unless --user, --client or --grant narrows it.");
    return { source, filter, selector: undefined };
  }
  const criteria = [filter.user !== undefined, filter.client !== undefined, filter.grant !== undefined, values.all === true].filter(Boolean).length;
  if (criteria !== 1) {
    throw new UsageError(
      criteria === 0 ? "`grants revoke` needs to know which grants." : "`grants revoke` takes one of --user, --client, --grant or --all, not several.",
      "Pass --user EMAIL, --client ID, --grant ID or --all (see `grants list`).",
    );
  }
  const selector: GrantSelector =
    filter.user !== undefined ? { user: filter.user } : filter.client !== undefined ? { client: filter.client } : filter.grant !== undefined ? { grant: filter.grant } : { all: true };
  return { source, filter: {}, selector };
}

/** An email, or a user id as `grants list` prints it for grants without one. */
function parseUser(value: string): string {
  const v = value.trim();
  if (v.includes("@")) {
    if (!isValidEmail(v)) throw new UsageError("--user is not a valid email address.");
    return v;
  }
  return match(v, /^[A-Za-z0-9._~%!$&'()*+,;=-]{1,512}$/, "--user", "an email address, or a user id as `grants list` shows it");
}

function match(value: string, pattern: RegExp, flag: string, expected: string): string {
  const v = value.trim();
  if (v === "") throw new UsageError(`${flag} needs a value.`);
  if (!pattern.test(v)) throw new UsageError(`${flag} is not valid: expected ${expected}.`);
  return v;
}
