/**
 * The seven Worker secrets, computed from the state: the service token, the Access OIDC client and
 * its URLs (from accessOidcUrls), and the cookie encryption key. One fingerprint of the values lets
 * a re-run know the Worker already has them without reading them back (the API never returns them).
 */
import { createHash } from "node:crypto";
import { accessOidcUrls, SERVICE_TOKEN_SEPARATOR, WORKER_SECRET_NAMES, type WorkerSecretName } from "@mcpbox/shared";
import type { ProvisionState } from "./state/state";

/** Secret values by name, or the list of what is still missing from the state. */
export type SecretValues = { ok: true; values: Record<WorkerSecretName, string> } | { ok: false; missing: string[] };

export function workerSecretValues(state: ProvisionState): SecretValues {
  const missing: string[] = [];
  const serviceToken = state.secrets?.serviceToken;
  const cookieKey = state.secrets?.cookieEncryptionKey;
  const access = state.access;
  if (!serviceToken) missing.push("service token");
  if (!cookieKey) missing.push("cookie encryption key");
  if (!access) missing.push("Access application");
  if (!serviceToken || !cookieKey || !access) return { ok: false, missing };
  const urls = accessOidcUrls(`https://${access.authDomain}`, access.clientId);
  const values: Record<WorkerSecretName, string> = {
    MCPBOX_SERVICE_TOKEN: serviceToken,
    ACCESS_CLIENT_ID: access.clientId,
    ACCESS_CLIENT_SECRET: access.clientSecret,
    ACCESS_TOKEN_URL: urls.tokenUrl,
    ACCESS_AUTHORIZATION_URL: urls.authorizationUrl,
    ACCESS_JWKS_URL: urls.jwksUrl,
    COOKIE_ENCRYPTION_KEY: cookieKey,
  };
  return { ok: true, values };
}

/** SHA-256 over the names and values, in the contract's order. Stored in the state, never printed. */
export function secretsFingerprint(values: Readonly<Record<WorkerSecretName, string>>): string {
  const hash = createHash("sha256");
  for (const name of WORKER_SECRET_NAMES) hash.update(`${name}\0${values[name]}\0`);
  return hash.digest("hex");
}

/** The value for the env file's MCPBOX_SERVICE_TOKEN: `current` or, during a rotation, `current,previous`. */
export function envServiceTokenValue(state: ProvisionState): string | undefined {
  const current = state.secrets?.serviceToken;
  if (!current) return undefined;
  const previous = state.secrets?.previousServiceToken;
  return previous ? `${current}${SERVICE_TOKEN_SEPARATOR}${previous}` : current;
}
