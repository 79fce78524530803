/**
 * What a person may type for each setting, shared by the CLI's flags and the web wizard's fields:
 * the pattern, what is expected in words, and the flag and field label used in messages. One rule
 * per setting, so both interfaces accept and refuse exactly the same values.
 */

export interface InputRule {
  /** The CLI flag that sets it. */
  flag: string;
  /** The web wizard's field label. */
  label: string;
  pattern: RegExp;
  /** What is expected, in words, for the error message. */
  expected: string;
}

const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const RESOURCE_NAME_EXPECTED = "letters, digits, dots, dashes and underscores";

export const INPUT_RULES = {
  accountId: { flag: "--account-id", label: "Account id", pattern: /^[0-9a-f]{32}$/i, expected: "a 32-character hex account id" },
  tunnelName: { flag: "--tunnel-name", label: "Tunnel name", pattern: RESOURCE_NAME, expected: RESOURCE_NAME_EXPECTED },
  vpcServiceName: { flag: "--vpc-service-name", label: "VPC service name", pattern: RESOURCE_NAME, expected: RESOURCE_NAME_EXPECTED },
  workerName: {
    flag: "--worker-name",
    label: "Worker name",
    pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    expected: "lowercase letters, digits and dashes (it becomes part of a hostname)",
  },
  gatewayHost: {
    flag: "--gateway-host",
    label: "Gateway host",
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/,
    expected: "a host name or IP address as cloudflared resolves it",
  },
} as const satisfies Record<string, InputRule>;

export type InputName = keyof typeof INPUT_RULES;

export type InputCheck<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Checks a trimmed, non-empty value against its rule; `name` is the flag or label to mention. */
export function checkInput(rule: InputRule, value: string, name: string): InputCheck<string> {
  const v = value.trim();
  if (v === "") return { ok: false, problem: `${name} needs a value.` };
  if (!rule.pattern.test(v)) return { ok: false, problem: `${name} "${v}" is not valid: expected ${rule.expected}.` };
  return { ok: true, value: v };
}

/** Checks a TCP port number (1-65535). */
export function checkPort(value: string, name: string): InputCheck<number> {
  const v = value.trim();
  const port = Number(v);
  if (!/^\d+$/.test(v) || port < 1 || port > 65_535) return { ok: false, problem: `${name} "${v}" is not a port number (1-65535).` };
  return { ok: true, value: port };
}
