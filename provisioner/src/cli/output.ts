/**
 * Turning results and errors into output, in one place: human text or one JSON document, and the
 * exit code. Errors carry what happened and what to do next; stack traces and secrets never print.
 */
import { DOCTOR_AREAS, type DoctorResult } from "../commands/doctor";
import type { RotateResult } from "../commands/rotate";
import type { SecretsSyncResult } from "../commands/secrets-sync";
import type { SetupResult } from "../commands/setup";
import type { StatusResult } from "../commands/status";
import type { TeardownResult } from "../commands/teardown";
import type { GrantsListResult, GrantsRevokeResult } from "../grants/commands";
import type { ErrorReport } from "../run/error-report";
import { formatGrantsList, formatGrantsRevoke } from "./grants-output";

export type CommandResult = SetupResult | StatusResult | DoctorResult | SecretsSyncResult | RotateResult | TeardownResult | GrantsListResult | GrantsRevokeResult;

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** The exit code for a described error. */
export function exitCodeOf(report: ErrorReport): number {
  return report.code === "usage" ? EXIT.usage : report.code === "interrupted" ? EXIT.interrupted : EXIT.failed;
}

export function formatError(report: ErrorReport): string {
  const lines = [`✗ ${report.message}`];
  if (report.missingPermissions) for (const p of report.missingPermissions) lines.push(`    - ${p}`);
  if (report.hint) lines.push(...report.hint.split("\n").map((l) => `  ${l}`));
  return `${lines.join("\n")}\n`;
}

/** The human summary printed after the command's progress lines. */
export function formatResult(result: CommandResult): string {
  switch (result.command) {
    case "setup":
      return result.changed
        ? `\n✓ Setup complete (${result.api.writes} API writes, ${result.api.requests} calls). State: ${result.statePath}\n`
        : `\n✓ Nothing to change: everything was already in place (0 writes, ${result.api.requests} read calls).\n`;
    case "status":
      return formatStatus(result);
    case "doctor":
      return formatDoctor(result);
    case "secrets sync":
      return `\n✓ ${result.secrets.length} secrets pushed to the Worker${result.envFileUpdated ? "; env file updated" : ""}.\n`;
    case "rotate-service-token":
      return result.phase === "finished"
        ? `\n✓ Rotation finished: the env file holds only the new token. Restart the gateway to drop the old one.\n`
        : `\n✓ New service token ${result.workerUpdated ? "in use by the Worker" : "generated (the Worker still sends the old one)"}; the gateway accepts both until \`rotate-service-token --finish\`.\n`;
    case "teardown":
      return result.ok ? `\n✓ Teardown complete.\n` : `\n✗ Teardown incomplete: ${result.kept.length} resource(s) kept (see above); run teardown again once fixed.\n`;
    case "grants list":
      return formatGrantsList(result);
    case "grants revoke":
      return formatGrantsRevoke(result);
  }
}

function formatStatus(result: StatusResult): string {
  const mark = { ok: "✓", problem: "✗", "not set up": "·" } as const;
  const lines = [`Account: ${result.accountId ?? "not set up"}`];
  for (const row of result.rows) {
    const label = [row.resource, row.name ? `"${row.name}"` : "", row.id && row.id !== row.name ? `(${row.id})` : ""].filter(Boolean).join(" ");
    lines.push(`${mark[row.state]} ${label}: ${row.detail}`);
  }
  if (result.mcpUrl) lines.push(`MCP URL: ${result.mcpUrl}`);
  return `${lines.join("\n")}\n`;
}

function formatDoctor(result: DoctorResult): string {
  const mark = { ok: "✓", problem: "✗", skipped: "·" } as const;
  const lines: string[] = [];
  for (const { area, title } of DOCTOR_AREAS) {
    lines.push("", title);
    for (const f of result.findings.filter((x) => x.area === area)) {
      lines.push(`  ${mark[f.status]} checked: ${f.check}`, `    seen: ${f.seen}`);
      if (f.action && f.status !== "ok") lines.push(`    do: ${f.action}`);
    }
  }
  lines.push("", result.ok ? "✓ No problems found." : `✗ ${result.findings.filter((f) => f.status === "problem").length} problem(s) found.`);
  return `${lines.join("\n")}\n`;
}
