/**
 * The flags of `grants list` and `grants revoke` (pure): which store (`--local`, `--dev-dir`), and
 * which grants (`--user`, `--client`, `--grant`, `--all`), validated with messages naming the flag.
 */
import { UsageError } from "../errors";
import type { GrantFilter, GrantSelector } from "../grants/grants";
import { checkGrantCriterion, GRANT_CRITERIA, selectorOf } from "../grants/selector";

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
  for (const criterion of GRANT_CRITERIA) {
    const raw = values[criterion];
    if (raw === undefined) continue;
    const check = checkGrantCriterion(criterion, raw);
    if (!check.ok) throw new UsageError(`--${criterion} ${check.problem}.`);
    filter[criterion] = check.value;
  }

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
  const chosen = GRANT_CRITERIA.find((criterion) => filter[criterion] !== undefined);
  const selector: GrantSelector = chosen !== undefined ? selectorOf(chosen, filter[chosen] ?? "") : { all: true };
  return { source, filter: {}, selector };
}
