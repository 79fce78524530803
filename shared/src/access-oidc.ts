/**
 * Cloudflare Access for SaaS OIDC endpoint layout.
 * Base: `https://<auth_domain>/cdn-cgi/access/sso/oidc/<client_id>`; the issuer is the base.
 */

export interface AccessOidcUrls {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  discoveryUrl: string;
}

/** The path under an auth domain where an Access for SaaS OIDC app lives. */
export function accessOidcPath(clientId: string): string {
  return `/cdn-cgi/access/sso/oidc/${encodeURIComponent(clientId)}`;
}

/** Builds every Access OIDC URL from an origin (`https://team.cloudflareaccess.com`) and client id. */
export function accessOidcUrls(origin: string, clientId: string): AccessOidcUrls {
  const base = `${origin.replace(/\/+$/, "")}${accessOidcPath(clientId)}`;
  return {
    issuer: base,
    authorizationUrl: `${base}/authorization`,
    tokenUrl: `${base}/token`,
    jwksUrl: `${base}/jwks`,
    discoveryUrl: `${base}/.well-known/openid-configuration`,
  };
}

/** The issuer Access uses: the authorization URL without its `/authorization` suffix. */
export function issuerFromAuthorizationUrl(authorizationUrl: string): string {
  return authorizationUrl.replace(/\/authorization\/?$/, "");
}
