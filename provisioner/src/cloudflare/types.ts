/**
 * The provisioner's own view of Cloudflare resources: only the fields it uses, read from the
 * SDK's (much larger) response types at the boundary in the api-*.ts modules.
 */

export interface TokenStatus {
  id: string;
  status: string;
  /** "user" when /user/tokens/verify accepted it, "account" for account-owned tokens. */
  owner: "user" | "account";
}

export interface Account {
  id: string;
  name: string;
}

export interface Tunnel {
  id: string;
  name: string;
  /** inactive | degraded | healthy | down */
  status: string;
  configSrc: string | undefined;
  deletedAt: string | null;
  connections: TunnelConnection[];
}

export interface TunnelConnection {
  coloName: string | undefined;
  clientVersion: string | undefined;
  openedAt: string | undefined;
}

/** A connector (one running cloudflared) and the version it reports. */
export interface TunnelClient {
  id: string;
  version: string | undefined;
  connectionCount: number;
}

/** Workers VPC service (Connectivity Directory) of type http routed through a tunnel. */
export interface VpcService {
  id: string;
  name: string;
  type: string;
  hostname: string | undefined;
  tunnelId: string | undefined;
  httpPort: number | undefined;
}

export interface VpcServiceSpec {
  name: string;
  hostname: string;
  tunnelId: string;
  httpPort: number;
}

export interface KvNamespace {
  id: string;
  title: string;
}

export interface WorkerScript {
  /** The script name. */
  id: string;
  modifiedOn: string | undefined;
}

export interface AccessOrganization {
  authDomain: string;
  name: string | undefined;
}

export interface IdentityProvider {
  id: string;
  name: string;
  type: string;
}

export interface AccessApp {
  id: string;
  name: string;
  type: string;
  clientId: string | undefined;
  /** Present only in the response that created the app. */
  clientSecret: string | undefined;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  /** `saas_app.refresh_token_options.lifetime`, when set. */
  refreshTokenLifetime: string | undefined;
}

export interface AccessAppSpec {
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  /** How long a refresh token Access issues stays valid (`12h`); see steps/access-refresh-tokens.ts. */
  refreshTokenLifetime?: string;
}

/** An Access rule as the API writes it, e.g. `{ email: { email } }`. */
export type AccessRule = { everyone: Record<string, never> } | { email: { email: string } } | { email_domain: { domain: string } };

export interface AccessPolicy {
  id: string;
  name: string;
  decision: string;
  include: unknown[];
}

export interface AccessPolicySpec {
  name: string;
  include: AccessRule[];
}

/** One Worker module as uploaded. */
export interface WorkerModule {
  name: string;
  /** MIME type of the part, e.g. application/javascript+module. */
  contentType: string;
  content: Uint8Array;
}
