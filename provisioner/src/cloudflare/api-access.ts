/**
 * Cloudflare Access (Zero Trust): the organization's auth domain, identity providers, and the
 * Access for SaaS OIDC application with its app-scoped allow policy. An update replaces the whole
 * application, so it starts from the application as read and changes only what the spec says.
 */
import { refreshTokenOptions } from "../steps/access-refresh-tokens";
import type { CloudflareClient } from "./client";
import type { ApiOperation } from "./errors";
import { PERMISSIONS } from "./permissions";
import type { AccessApp, AccessAppSpec, AccessOrganization, AccessPolicy, AccessPolicySpec, IdentityProvider } from "./types";

const APPS = PERMISSIONS.accessApps;
const POLICIES = PERMISSIONS.accessPolicies;
const ORG = PERMISSIONS.accessOrganizations;
const IDPS = PERMISSIONS.accessIdentityProviders;

export class AccessApi {
  constructor(private readonly client: CloudflareClient) {}

  /** The Zero Trust organization; undefined when the account has none yet. */
  async getOrganization(accountId: string): Promise<AccessOrganization | undefined> {
    const org = await this.client.callOrNotFound({ label: "read the Zero Trust organization", method: "GET", permission: ORG }, () =>
      this.client.sdk.zeroTrust.organizations.list({ account_id: accountId }),
    );
    if (!org || typeof org.auth_domain !== "string" || org.auth_domain.length === 0) return undefined;
    return { authDomain: org.auth_domain, name: org.name };
  }

  async listIdentityProviders(accountId: string): Promise<IdentityProvider[]> {
    const items = await this.client.listAll(
      { label: "list Zero Trust identity providers", method: "GET", permission: IDPS },
      (page, perPage) => this.client.sdk.zeroTrust.identityProviders.list({ account_id: accountId, page, per_page: perPage }),
    );
    return items.map((idp) => ({ id: idp.id ?? "", name: idp.name, type: String(idp.type) }));
  }

  async listApps(accountId: string): Promise<AccessApp[]> {
    const items = await this.client.listAll({ label: "list Access applications", method: "GET", permission: APPS }, (page, perPage) =>
      this.client.sdk.zeroTrust.access.applications.list({ account_id: accountId, page, per_page: perPage }),
    );
    return items.map(toApp);
  }

  async getApp(accountId: string, appId: string): Promise<AccessApp | undefined> {
    const result = await this.client.callOrNotFound({ label: "read the Access application", method: "GET", permission: APPS }, () =>
      this.client.sdk.zeroTrust.access.applications.get(appId, { account_id: accountId }),
    );
    return result ? toApp(result) : undefined;
  }

  /** Creates the SaaS OIDC app. The response is the only one that carries `client_secret`. */
  async createApp(accountId: string, spec: AccessAppSpec): Promise<AccessApp> {
    const result = await this.client.call({ label: `create the Access application "${spec.name}"`, method: "POST", permission: APPS }, () =>
      this.client.sdk.zeroTrust.access.applications.create({ account_id: accountId, ...appBody(spec) }),
    );
    return toApp(result);
  }

  /**
   * Replaces the application with `current` changed only where `spec` says (see appUpdateBody).
   * The caller checks that the client id survived.
   */
  async updateApp(accountId: string, current: AccessApp, spec: AccessAppSpec): Promise<AccessApp> {
    const op: ApiOperation = { label: `update the Access application "${spec.name}"`, method: "PUT", permission: APPS };
    const result = await this.client.raw<unknown>(
      op,
      `/accounts/${encodeURIComponent(accountId)}/access/apps/${encodeURIComponent(current.id)}`,
      appUpdateBody(current.raw, spec),
    );
    return toApp(typeof result === "object" && result !== null ? result : {});
  }

  /** Deletes the app; its app-scoped policies go with it. */
  async deleteApp(accountId: string, appId: string): Promise<void> {
    await this.client.call({ label: "delete the Access application", method: "DELETE", permission: APPS }, () =>
      this.client.sdk.zeroTrust.access.applications.delete(appId, { account_id: accountId }),
    );
  }

  async listPolicies(accountId: string, appId: string): Promise<AccessPolicy[]> {
    const items = await this.client.listAll(
      { label: "list the Access application's policies", method: "GET", permission: POLICIES },
      (page, perPage) =>
        this.client.sdk.zeroTrust.access.applications.policies.list(appId, { account_id: accountId, page, per_page: perPage }),
    );
    return items.map(toPolicy);
  }

  async createPolicy(accountId: string, appId: string, spec: AccessPolicySpec): Promise<AccessPolicy> {
    const result = await this.client.call({ label: `create the Access policy "${spec.name}"`, method: "POST", permission: POLICIES }, () =>
      this.client.sdk.zeroTrust.access.applications.policies.create(appId, {
        account_id: accountId,
        name: spec.name,
        decision: "allow",
        include: spec.include,
      }),
    );
    return toPolicy(result);
  }

  async updatePolicy(accountId: string, appId: string, policyId: string, spec: AccessPolicySpec): Promise<AccessPolicy> {
    const result = await this.client.call({ label: `update the Access policy "${spec.name}"`, method: "PUT", permission: POLICIES }, () =>
      this.client.sdk.zeroTrust.access.applications.policies.update(policyId, {
        account_id: accountId,
        app_id: appId,
        name: spec.name,
        decision: "allow",
        include: spec.include,
      }),
    );
    return toPolicy(result);
  }
}

function appBody(spec: AccessAppSpec) {
  return {
    type: "saas" as const,
    name: spec.name,
    app_launcher_visible: false,
    saas_app: {
      auth_type: "oidc" as const,
      redirect_uris: spec.redirectUris,
      grant_types: spec.grantTypes as Array<"authorization_code_with_pkce" | "refresh_tokens">,
      scopes: spec.scopes as Array<"openid" | "email" | "profile">,
      ...refreshTokenOptions(spec),
    },
  };
}

/** Fields the API returns but an update must not send (set by the API, or derived from the rest). */
const READ_ONLY_APP_FIELDS = new Set(["id", "uid", "aud", "created_at", "updated_at", "domain", "policies", "saas_app"]);
const READ_ONLY_SAAS_FIELDS = new Set(["client_secret", "public_key", "created_at", "updated_at"]);

/**
 * The full PUT body: every setting `current` (the application as read) has, the client id
 * included, with the spec's name, redirect URIs, grants and scopes on top, and the policies it
 * uses linked again by id and precedence. A PUT resets whatever it is not sent, so nothing the
 * API returned may be dropped here by accident.
 */
export function appUpdateBody(current: Readonly<Record<string, unknown>>, spec: AccessAppSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) if (!READ_ONLY_APP_FIELDS.has(key)) body[key] = value;
  const saas: Record<string, unknown> = {};
  const currentSaas = isRecord(current.saas_app) ? current.saas_app : {};
  for (const [key, value] of Object.entries(currentSaas)) if (!READ_ONLY_SAAS_FIELDS.has(key)) saas[key] = value;
  Object.assign(
    saas,
    { auth_type: "oidc", redirect_uris: spec.redirectUris, grant_types: spec.grantTypes, scopes: spec.scopes },
    refreshTokenOptions(spec),
  );
  Object.assign(body, { type: "saas", name: spec.name, saas_app: saas });
  if (Array.isArray(current.policies)) {
    body.policies = current.policies
      .filter(isRecord)
      .map((p) => ({ id: p.id, ...(typeof p.precedence === "number" ? { precedence: p.precedence } : {}) }));
  }
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads the fields we use from any of the SDK's application variants. */
function toApp(app: object): AccessApp {
  const a = app as { id?: unknown; name?: unknown; type?: unknown; saas_app?: unknown };
  const saas = (typeof a.saas_app === "object" && a.saas_app !== null ? a.saas_app : {}) as Record<string, unknown>;
  return {
    id: typeof a.id === "string" ? a.id : "",
    name: typeof a.name === "string" ? a.name : "",
    type: typeof a.type === "string" ? a.type : "",
    clientId: typeof saas.client_id === "string" ? saas.client_id : undefined,
    clientSecret: typeof saas.client_secret === "string" ? saas.client_secret : undefined,
    redirectUris: stringArray(saas.redirect_uris),
    grantTypes: stringArray(saas.grant_types),
    scopes: stringArray(saas.scopes),
    refreshTokenLifetime: refreshLifetime(saas.refresh_token_options),
    raw: { ...(app as Record<string, unknown>) },
  };
}

function refreshLifetime(options: unknown): string | undefined {
  const lifetime = typeof options === "object" && options !== null ? (options as { lifetime?: unknown }).lifetime : undefined;
  return typeof lifetime === "string" ? lifetime : undefined;
}

function toPolicy(policy: object): AccessPolicy {
  const p = policy as { id?: unknown; name?: unknown; decision?: unknown; include?: unknown };
  return {
    id: typeof p.id === "string" ? p.id : "",
    name: typeof p.name === "string" ? p.name : "",
    decision: typeof p.decision === "string" ? p.decision : "",
    include: Array.isArray(p.include) ? p.include : [],
  };
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
