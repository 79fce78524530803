/**
 * Fake Access endpoints: the Zero Trust organization (404 when the account has none), identity
 * providers, applications (duplicate names allowed, as in the real API; a SaaS OIDC app's
 * client_secret is returned only by the create call) and app-scoped policies.
 */
import { fail, paginate } from "./envelope";
import { hex, nowIso, uuid, type FakeAccount, type FakeApp, type FakePolicy } from "./model";
import { path, type Route } from "./route";

const APPS = "Access: Apps and Policies" as const;
const ORG = "Access: Organizations, Identity Providers, and Groups" as const;
const GRANTS = new Set(["authorization_code", "authorization_code_with_pkce", "refresh_tokens", "hybrid", "implicit"]);
const SCOPES = new Set(["openid", "groups", "email", "profile"]);
const RULE_KEYS = new Set(["everyone", "email", "email_domain", "group", "ip", "service_token", "any_valid_service_token", "login_method"]);

export function appView(app: FakeApp, withSecret = false): Record<string, unknown> {
  return {
    id: app.id,
    uid: app.id,
    name: app.name,
    type: app.type,
    app_launcher_visible: app.appLauncherVisible,
    ...(app.saas ? { saas_app: { ...app.saas, ...(withSecret ? { client_secret: app.clientSecret } : {}) } } : {}),
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  };
}

function policyView(p: FakePolicy): Record<string, unknown> {
  return { id: p.id, name: p.name, decision: p.decision, include: p.include, exclude: p.exclude, require: p.require, precedence: p.precedence, created_at: p.createdAt, updated_at: p.updatedAt };
}

function getApp(account: FakeAccount, id: string): FakeApp {
  return account.apps.get(id) ?? fail(404, 12130, "access.api.error.not_found");
}

interface AppFields {
  name: string;
  type: string;
  appLauncherVisible: boolean;
  saas: { auth_type: string; redirect_uris: string[]; grant_types: string[]; scopes: string[]; refresh_token_options?: { lifetime: string } } | undefined;
}

/** `refresh_token_options.lifetime`: "Valid units are m,h,d. Must be longer than 1m." (OIDCSaaSApp). */
function readRefreshOptions(value: unknown): { refresh_token_options?: { lifetime: string } } {
  if (value === undefined) return {};
  const lifetime = typeof value === "object" && value !== null ? (value as { lifetime?: unknown }).lifetime : undefined;
  const match = typeof lifetime === "string" ? /^(\d+)([mhd])$/.exec(lifetime) : null;
  if (!match || (match[2] === "m" && Number(match[1]) <= 1)) fail(400, 12001, "refresh_token_options.lifetime must be a duration in m, h or d, longer than 1m");
  return { refresh_token_options: { lifetime: lifetime as string } };
}

function readApp(body: Record<string, unknown>): AppFields {
  const name = typeof body.name === "string" ? body.name.trim() : "";
  if (!name) fail(400, 12001, "name is required");
  const type = typeof body.type === "string" ? body.type : fail(400, 12001, "type is required");
  let saas: AppFields["saas"];
  if (type === "saas") {
    const s = typeof body.saas_app === "object" && body.saas_app !== null ? (body.saas_app as Record<string, unknown>) : fail(400, 12001, "saas_app is required");
    if (s.auth_type !== "oidc") fail(400, 12001, "this fake supports OIDC SaaS apps only");
    const list = (v: unknown, what: string) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : fail(400, 12001, `${what} must be a list of strings`));
    const redirect = list(s.redirect_uris, "redirect_uris");
    if (redirect.length === 0 || redirect.some((u) => !/^https:\/\/[^/\s]+/.test(u))) fail(400, 12001, "redirect_uris must be https URLs");
    const grants = list(s.grant_types, "grant_types");
    if (grants.some((g) => !GRANTS.has(g))) fail(400, 12001, "unknown grant type");
    const scopes = list(s.scopes, "scopes");
    if (scopes.some((x) => !SCOPES.has(x))) fail(400, 12001, "unknown scope");
    saas = { auth_type: "oidc", redirect_uris: redirect, grant_types: grants, scopes, ...readRefreshOptions(s.refresh_token_options) };
  }
  return { name, type, appLauncherVisible: body.app_launcher_visible !== false, saas };
}

function readPolicy(body: Record<string, unknown>): Pick<FakePolicy, "name" | "decision" | "include" | "exclude" | "require" | "precedence"> {
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
    precedence: typeof body.precedence === "number" ? body.precedence : 1,
  };
}

export const accessRoutes: Route[] = [
  {
    method: "GET",
    pattern: path("/accounts/:a/access/organizations"),
    permission: [ORG, "read"],
    handle: ({ account }) => {
      const org = account.org ?? fail(404, 12130, "access.api.error.not_found");
      return { result: { auth_domain: org.authDomain, name: org.name, login_design: {}, is_ui_read_only: false, session_duration: "24h" } };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/access/identity_providers"),
    permission: [ORG, "read"],
    handle: ({ account, query }) => paginate(account.identityProviders.map((p) => ({ ...p, config: {} })), query),
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/access/apps"),
    permission: [APPS, "read"],
    handle: ({ account, query }) => paginate([...account.apps.values()].map((a) => appView(a)), query),
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/access/apps"),
    permission: [APPS, "edit"],
    handle: (req) => {
      if (!req.account.org) fail(400, 12130, "access.api.error.not_found: no Zero Trust organization");
      const fields = readApp(req.json());
      const app: FakeApp = {
        id: uuid(),
        name: fields.name,
        type: fields.type,
        appLauncherVisible: fields.appLauncherVisible,
        saas: fields.saas ? { ...fields.saas, client_id: hex(32) } : undefined,
        clientSecret: fields.saas ? hex(32) : undefined,
        policies: new Map(),
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
      app.name = fields.name;
      app.appLauncherVisible = fields.appLauncherVisible;
      if (fields.saas && app.saas) app.saas = { ...fields.saas, client_id: app.saas.client_id };
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
    permission: [APPS, "read"],
    handle: ({ account, params, query }) => paginate([...getApp(account, params.id ?? "").policies.values()].map(policyView), query),
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/access/apps/:id/policies"),
    permission: [APPS, "edit"],
    handle: (req) => {
      const app = getApp(req.account, req.params.id ?? "");
      const policy: FakePolicy = { id: uuid(), ...readPolicy(req.json()), createdAt: nowIso(), updatedAt: nowIso() };
      app.policies.set(policy.id, policy);
      return { result: policyView(policy) };
    },
  },
  {
    method: "PUT",
    pattern: path("/accounts/:a/access/apps/:id/policies/:pid"),
    permission: [APPS, "edit"],
    handle: (req) => {
      const app = getApp(req.account, req.params.id ?? "");
      const policy = app.policies.get(req.params.pid ?? "") ?? fail(404, 12130, "access.api.error.not_found");
      Object.assign(policy, readPolicy(req.json()), { updatedAt: nowIso() });
      return { result: policyView(policy) };
    },
  },
];
