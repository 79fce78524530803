/**
 * Fake Access endpoints: the Zero Trust organization (404 when the account has none), identity
 * providers, applications (duplicate names allowed, as in the real API; a SaaS OIDC app's
 * client_secret is returned only by the create call), app-scoped policies and the reusable-policy
 * list. Without a Zero Trust organization every other Access call fails. A PUT replaces the whole
 * application: what the body leaves out goes back to its default (the client id included).
 */
import { fail, paginate } from "./envelope";
import { hex, nowIso, uuid, type FakeAccount, type FakeApp, type FakePolicy, type FakeSaas } from "./model";
import { path, type Route } from "./route";

// Each endpoint accepts its fine-grained group or the older combined one. Which group governs
// app-scoped policies is not published per endpoint; this fake asks for the policies group.
const APPS = ["Access: Apps", "Access: Apps and Policies"] as const;
const POLICIES = ["Access: Policies", "Access: Apps and Policies"] as const;
const ORG = ["Access: Organizations", "Access: Organizations, Identity Providers, and Groups"] as const;
const IDPS = ["Access: Identity Providers", "Access: Organizations, Identity Providers, and Groups"] as const;
const GRANTS = new Set(["authorization_code", "authorization_code_with_pkce", "refresh_tokens", "hybrid", "implicit"]);
const SCOPES = new Set(["openid", "groups", "email", "profile"]);
const RULE_KEYS = new Set(["everyone", "email", "email_domain", "group", "ip", "service_token", "any_valid_service_token", "login_method"]);
/** Access's not-found code; the code, not the HTTP status, is what marks a missing object. */
const ACCESS_NOT_FOUND = 12130;
/** Settings the API fills in when a write leaves them out. */
const APP_DEFAULTS: Readonly<Record<string, unknown>> = { allowed_idps: [], auto_redirect_to_identity: false, tags: [] };
const SAAS_DEFAULTS: Readonly<Record<string, unknown>> = { access_token_lifetime: "5m", allow_pkce_without_client_secret: false };
/** Fields a client may send back from a GET but never sets. */
const READ_ONLY_APP_FIELDS = new Set(["id", "uid", "aud", "created_at", "updated_at", "policies", "saas_app", "name", "type", "app_launcher_visible", "domain"]);
const KNOWN_SAAS_FIELDS = new Set(["auth_type", "client_id", "client_secret", "redirect_uris", "grant_types", "scopes", "public_key"]);

/**
 * Knobs for tests: the HTTP status of not-found answers (to prove that only the code is relied on),
 * and an update that issues a new client id even when the body carries the old one.
 */
export const accessFaults = { notFoundStatus: 404, newClientIdOnUpdate: false };

function appView(app: FakeApp, withSecret = false): Record<string, unknown> {
  const policies = [...app.policies.values()].sort((a, b) => a.precedence - b.precedence).map(policyView);
  return {
    id: app.id,
    uid: app.id,
    aud: app.id.replace(/-/g, "").repeat(2),
    name: app.name,
    type: app.type,
    app_launcher_visible: app.appLauncherVisible,
    ...APP_DEFAULTS,
    ...app.settings,
    ...(app.saas ? { saas_app: saasView(app.saas, withSecret ? app.clientSecret : undefined) } : {}),
    policies,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  };
}

function saasView(saas: FakeSaas, secret: string | undefined): Record<string, unknown> {
  const { options, ...fields } = saas;
  return { ...SAAS_DEFAULTS, ...options, ...fields, public_key: "-----BEGIN PUBLIC KEY-----fake-----END PUBLIC KEY-----", ...(secret ? { client_secret: secret } : {}) };
}

function policyView(p: FakePolicy): Record<string, unknown> {
  return { id: p.id, name: p.name, decision: p.decision, include: p.include, exclude: p.exclude, require: p.require, precedence: p.precedence, created_at: p.createdAt, updated_at: p.updatedAt };
}

function notFound(): never {
  return fail(accessFaults.notFoundStatus, ACCESS_NOT_FOUND, "access.api.error.not_found");
}

function getApp(account: FakeAccount, id: string): FakeApp {
  requireOrg(account);
  return account.apps.get(id) ?? notFound();
}

/** Unconfirmed code: the real API refuses Access calls on an account without Zero Trust. */
function requireOrg(account: FakeAccount): void {
  if (!account.org) fail(400, 12110, "access.api.error.not_enabled: this account has no Zero Trust organization");
}

interface AppFields {
  name: string;
  type: string;
  appLauncherVisible: boolean;
  saas: Omit<FakeSaas, "client_id"> & { client_id: string | undefined };
  settings: Record<string, unknown>;
  policyLinks: Array<{ id: string; precedence: number | undefined }> | undefined;
}

/** `refresh_token_options.lifetime`: "Valid units are m,h,d. Must be longer than 1m." (OIDCSaaSApp). */
function checkRefreshOptions(value: unknown): void {
  if (value === undefined) return;
  const lifetime = typeof value === "object" && value !== null ? (value as { lifetime?: unknown }).lifetime : undefined;
  const match = typeof lifetime === "string" ? /^(\d+)([mhd])$/.exec(lifetime) : null;
  if (!match || (match[2] === "m" && Number(match[1]) <= 1)) fail(400, 12001, "refresh_token_options.lifetime must be a duration in m, h or d, longer than 1m");
}

function readApp(body: Record<string, unknown>): AppFields {
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name) fail(400, 12001, "name is required");
  const type = typeof body.type === "string" ? body.type : fail(400, 12001, "type is required");
  if (type !== "saas") fail(400, 12001, "this fake supports SaaS apps only");
  const s = typeof body.saas_app === "object" && body.saas_app !== null ? (body.saas_app as Record<string, unknown>) : fail(400, 12001, "saas_app is required");
  if (s.auth_type !== "oidc") fail(400, 12001, "this fake supports OIDC SaaS apps only");
  const list = (v: unknown, what: string) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : fail(400, 12001, `${what} must be a list of strings`));
  const redirect = list(s.redirect_uris, "redirect_uris");
  if (redirect.length === 0 || redirect.some((u) => !/^https:\/\/[^/\s]+/.test(u))) fail(400, 12001, "redirect_uris must be https URLs");
  const grants = list(s.grant_types, "grant_types");
  if (grants.some((g) => !GRANTS.has(g))) fail(400, 12001, "unknown grant type");
  const scopes = list(s.scopes, "scopes");
  if (scopes.some((x) => !SCOPES.has(x))) fail(400, 12001, "unknown scope");
  if (s.client_id !== undefined && typeof s.client_id !== "string") fail(400, 12001, "client_id must be a string");
  checkRefreshOptions(s.refresh_token_options);
  const options = Object.fromEntries(Object.entries(s).filter(([key]) => !KNOWN_SAAS_FIELDS.has(key)));
  const settings = Object.fromEntries(Object.entries(body).filter(([key]) => !READ_ONLY_APP_FIELDS.has(key)));
  let policyLinks: AppFields["policyLinks"];
  if (body.policies !== undefined) {
    if (!Array.isArray(body.policies)) fail(400, 12001, "policies must be a list");
    policyLinks = (body.policies as unknown[]).map((item) => {
      if (typeof item === "string") return { id: item, precedence: undefined };
      const link = typeof item === "object" && item !== null ? (item as { id?: unknown; precedence?: unknown }) : {};
      if (typeof link.id !== "string") fail(400, 12001, "a policy link needs an id");
      return { id: link.id as string, precedence: typeof link.precedence === "number" ? link.precedence : undefined };
    });
  }
  return {
    name,
    type,
    appLauncherVisible: body.app_launcher_visible !== false,
    saas: { auth_type: "oidc", client_id: s.client_id as string | undefined, redirect_uris: redirect, grant_types: grants, scopes, options },
    settings,
    policyLinks,
  };
}

function readPolicy(body: Record<string, unknown>): Pick<FakePolicy, "name" | "decision" | "include" | "exclude" | "require"> & { precedence: number | undefined } {
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name) fail(400, 12001, "name is required");
  if (!["allow", "deny", "non_identity", "bypass"].includes(String(body.decision))) fail(400, 12001, "decision is not valid");
  const include = Array.isArray(body.include) && body.include.length > 0 ? body.include : fail(400, 12001, "include must list at least one rule");
  for (const rule of include) {
    const keys = typeof rule === "object" && rule !== null ? Object.keys(rule) : [];
    if (keys.length !== 1 || !RULE_KEYS.has(keys[0] ?? "")) fail(400, 12001, `rule ${JSON.stringify(rule)} is not valid`);
  }
  return {
    name,
    decision: String(body.decision),
    include,
    exclude: Array.isArray(body.exclude) ? body.exclude : [],
    require: Array.isArray(body.require) ? body.require : [],
    precedence: typeof body.precedence === "number" ? body.precedence : undefined,
  };
}

/** A PUT keeps the app-scoped policies it links (by id); the ones it leaves out are detached and gone. */
function relinkPolicies(app: FakeApp, links: AppFields["policyLinks"]): void {
  const keep = new Map<string, FakePolicy>();
  for (const [index, link] of (links ?? []).entries()) {
    const policy = app.policies.get(link.id) ?? fail(400, 12001, `policy ${link.id} does not exist`);
    policy.precedence = link.precedence ?? index + 1;
    keep.set(policy.id, policy);
  }
  app.policies = keep;
}

export const accessRoutes: Route[] = [
  {
    method: "GET",
    pattern: path("/accounts/:a/access/organizations"),
    permission: [ORG, "read"],
    handle: ({ account }) => {
      const org = account.org ?? fail(404, ACCESS_NOT_FOUND, "access.api.error.not_found");
      return { result: { auth_domain: org.authDomain, name: org.name, login_design: {}, is_ui_read_only: false, session_duration: "24h" } };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/access/identity_providers"),
    permission: [IDPS, "read"],
    handle: ({ account, query }) => {
      requireOrg(account);
      return paginate(account.identityProviders.map((p) => ({ ...p, config: {} })), query);
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/access/policies"),
    permission: [POLICIES, "read"],
    handle: ({ account, query }) => {
      requireOrg(account);
      // Reusable policies: this provisioner creates none, so the list is empty.
      return paginate([], query);
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/access/apps"),
    permission: [APPS, "read"],
    handle: ({ account, query }) => {
      requireOrg(account);
      return paginate([...account.apps.values()].map((a) => appView(a)), query);
    },
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/access/apps"),
    permission: [APPS, "edit"],
    handle: (req) => {
      requireOrg(req.account);
      const fields = readApp(req.json());
      if (fields.policyLinks?.length) fail(400, 12001, "this fake links no policies at creation");
      const app: FakeApp = {
        id: uuid(),
        name: fields.name,
        type: fields.type,
        appLauncherVisible: fields.appLauncherVisible,
        saas: { ...fields.saas, client_id: hex(32) },
        clientSecret: hex(32),
        policies: new Map(),
        settings: fields.settings,
        createdAt: nowIso(),
        updatedAt: nowIso(),
      };
      req.account.apps.set(app.id, app);
      return { result: appView(app, true) };
    },
  },
  { method: "GET", pattern: path("/accounts/:a/access/apps/:id"), permission: [APPS, "read"], handle: ({ account, params }) => ({ result: appView(getApp(account, params.id ?? "")) }) },
  {
    method: "PUT",
    pattern: path("/accounts/:a/access/apps/:id"),
    permission: [APPS, "edit"],
    handle: (req) => {
      const app = getApp(req.account, req.params.id ?? "");
      const fields = readApp(req.json());
      const current = app.saas?.client_id;
      if (fields.saas.client_id !== undefined && fields.saas.client_id !== current) fail(400, 12001, "saas_app.client_id cannot be changed");
      app.name = fields.name;
      app.appLauncherVisible = fields.appLauncherVisible;
      app.settings = fields.settings;
      // Unconfirmed: a body without the client id is treated as a new OIDC client (the real API's
      // handling is undocumented), which is why the provisioner always sends it back.
      app.saas = { ...fields.saas, client_id: accessFaults.newClientIdOnUpdate ? hex(32) : (fields.saas.client_id ?? hex(32)) };
      relinkPolicies(app, fields.policyLinks);
      app.updatedAt = nowIso();
      return { result: appView(app) };
    },
  },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/access/apps/:id"),
    permission: [APPS, "edit"],
    handle: ({ account, params }) => {
      const app = getApp(account, params.id ?? "");
      account.apps.delete(app.id);
      return { result: { id: app.id } };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/access/apps/:id/policies"),
    permission: [POLICIES, "read"],
    handle: ({ account, params, query }) => paginate([...getApp(account, params.id ?? "").policies.values()].map(policyView), query),
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/access/apps/:id/policies"),
    permission: [POLICIES, "edit"],
    handle: (req) => {
      const app = getApp(req.account, req.params.id ?? "");
      const { precedence, ...fields } = readPolicy(req.json());
      const next = Math.max(0, ...[...app.policies.values()].map((p) => p.precedence)) + 1;
      const policy: FakePolicy = { id: uuid(), ...fields, precedence: precedence ?? next, createdAt: nowIso(), updatedAt: nowIso() };
      app.policies.set(policy.id, policy);
      return { result: policyView(policy) };
    },
  },
  {
    method: "PUT",
    pattern: path("/accounts/:a/access/apps/:id/policies/:pid"),
    permission: [POLICIES, "edit"],
    handle: (req) => {
      const app = getApp(req.account, req.params.id ?? "");
      const policy = app.policies.get(req.params.pid ?? "") ?? notFound();
      const { precedence, ...fields } = readPolicy(req.json());
      Object.assign(policy, fields, { precedence: precedence ?? policy.precedence, updatedAt: nowIso() });
      return { result: policyView(policy) };
    },
  },
];
