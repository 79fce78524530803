/**
 * Which grants a person names, checked (pure): an email or a user id for `user`, a client id, a
 * grant id. The CLI's `--user`/`--client`/`--grant` flags and the page's revoke buttons go through
 * the same rules, so neither hands the store a value the other would refuse.
 */
import { isValidEmail } from "@mcpbox/shared";
import type { GrantSelector } from "./grants";

export type GrantCriterion = "user" | "client" | "grant";

export const GRANT_CRITERIA: readonly GrantCriterion[] = ["user", "client", "grant"];

type CriterionCheck = { ok: true; value: string } | { ok: false; problem: string };

/** Client ids are printable ASCII (the OAuth library makes 16 characters; registrations can carry more). */
const CLIENT_ID_PATTERN = /^[\x21-\x7e]{1,2048}$/;
/** The library's grant ids: 16 characters of [A-Za-z0-9_-]. */
const GRANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** User ids are the URL-encoded `sub` Access gives (RFC 3986 unreserved, sub-delims and `%`). */
const USER_ID_PATTERN = /^[A-Za-z0-9._~%!$&'()*+,;=-]{1,512}$/;

const EXPECTED: Record<GrantCriterion, string> = {
  user: "an email address, or a user id as `grants list` shows it",
  client: "a client id as `grants list` shows it",
  grant: "a grant id as `grants list` shows it",
};

/**
 * Checks one criterion's value (trimmed). The problem reads after the criterion's name:
 * "needs a value", "is not a valid email address", "is not valid: expected …".
 */
export function checkGrantCriterion(criterion: GrantCriterion, raw: string): CriterionCheck {
  const value = raw.trim();
  if (value === "") return { ok: false, problem: "needs a value" };
  if (criterion === "user" && value.includes("@")) return isValidEmail(value) ? { ok: true, value } : { ok: false, problem: "is not a valid email address" };
  const pattern = criterion === "user" ? USER_ID_PATTERN : criterion === "client" ? CLIENT_ID_PATTERN : GRANT_ID_PATTERN;
  return pattern.test(value) ? { ok: true, value } : { ok: false, problem: `is not valid: expected ${EXPECTED[criterion]}` };
}

/** The selector for one criterion and its checked value. */
export function selectorOf(criterion: GrantCriterion, value: string): GrantSelector {
  return criterion === "user" ? { user: value } : criterion === "client" ? { client: value } : { grant: value };
}
