/**
 * Refresh tokens on the Access for SaaS app. The Worker re-checks each user at Access with them
 * (Access answers a refresh only after checking the user against its policies), so the app's
 * `saas_app` gets `refresh_tokens` among its grant types and a refresh-token lifetime below
 * Access's default session duration. Kept apart from the app's create/update path on purpose.
 */
import { ACCESS_OFFLINE_SCOPE, ACCESS_REFRESH_TOKEN_LIFETIME } from "@mcpbox/shared";
import type { AccessApp, AccessAppSpec } from "../cloudflare/types";

/** The Access app's grant types: the code flow with PKCE, and refresh tokens for the re-check. */
const ACCESS_APP_GRANT_TYPES = ["authorization_code_with_pkce", "refresh_tokens"] as const;

/** The refresh-token part of the app's spec. */
export const ACCESS_APP_REFRESH = {
  grantTypes: [...ACCESS_APP_GRANT_TYPES],
  refreshTokenLifetime: ACCESS_REFRESH_TOKEN_LIFETIME,
} as const;

/** The `saas_app` fields it adds to the API body (`OIDCSaaSApp.refresh_token_options`). */
export function refreshTokenOptions(spec: AccessAppSpec): { refresh_token_options?: { lifetime: string } } {
  return spec.refreshTokenLifetime ? { refresh_token_options: { lifetime: spec.refreshTokenLifetime } } : {};
}

/** True when the app's refresh settings differ from the spec (an existing app gets updated). */
export function refreshSettingsDiffer(app: AccessApp, spec: AccessAppSpec): boolean {
  return app.refreshTokenLifetime !== spec.refreshTokenLifetime;
}

/**
 * The app's scopes as we compare them: Access turns `offline_access` on by itself for an app with
 * refresh tokens, so it never counts as a difference.
 */
export function configurableScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => scope !== ACCESS_OFFLINE_SCOPE);
}
