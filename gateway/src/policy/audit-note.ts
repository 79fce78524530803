/**
 * Records what the policy did in a request's audit record: the decision (a refusal outweighs a
 * filter) and the rules behind it, several joined with ",".
 */
import type { AuditRecord, PolicyDecision } from "../audit";

const WEIGHT: Record<PolicyDecision, number> = { filtered: 1, refused: 2, rate_limited: 3 };

/** Adds `decision` by `rules` to the record (no-op without one). */
export function noteDecision(audit: AuditRecord | undefined, decision: PolicyDecision, rules: Iterable<string>): void {
  if (!audit) return;
  if (!audit.decision || WEIGHT[decision] > WEIGHT[audit.decision]) audit.decision = decision;
  const all = new Set(audit.rule ? audit.rule.split(",") : []);
  for (const rule of rules) all.add(rule);
  audit.rule = [...all].join(",");
}
