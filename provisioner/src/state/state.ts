/**
 * The provisioner's state: the ids of everything it created, the names it used, and the secrets
 * only it can re-push (Access client secret, cookie key, service token). Never the API token.
 * parseState() validates a file's contents at the boundary.
 */
import { DEFAULT_GATEWAY_HOSTNAME, DEFAULT_GATEWAY_PORT } from "@mcpbox/shared";
import { DEFAULT_RESOURCE_NAMES } from "../defaults";
import { StateError } from "../errors";

const STATE_VERSION = 1 as const;

/** Who may sign in at Cloudflare Access (`--allow`). */
export type AllowRule = { kind: "everyone" } | { kind: "emails"; emails: string[] } | { kind: "domain"; domain: string };

export type ResourceKind = "tunnel" | "vpcService" | "kvNamespace" | "worker" | "accessApp";

export interface ResourceNames {
  tunnel: string;
  vpcService: string;
  worker: string;
}

export interface ProvisionState {
  version: typeof STATE_VERSION;
  accountId?: string;
  accountName?: string;
  names: ResourceNames;
  gateway: { host: string; port: number };
  allow?: AllowRule;
  tunnel?: { id: string; name: string };
  vpcService?: { id: string; name: string };
  kvNamespace?: { id: string; title: string };
  worker?: { name: string; subdomain?: string; url?: string; deployedFingerprint?: string };
  /** The Worker's plain-text settings given by flags; re-sent on every upload as recorded here. */
  workerVars?: { corsOrigins?: string; accessTokenTtlSeconds?: number };
  access?: { appId: string; appName: string; clientId: string; clientSecret: string; authDomain: string; policyId?: string };
  secrets?: {
    serviceToken?: string;
    /** Set while a rotation overlap is in progress: the gateway still accepts it. */
    previousServiceToken?: string;
    cookieEncryptionKey?: string;
    /** Fingerprint of the secret values last pushed to the Worker. */
    pushedFingerprint?: string;
  };
  /** A create that was sent but whose result is not recorded yet (survives an interruption). */
  pending?: { kind: ResourceKind; name: string };
  updatedAt?: string;
}

/** A state for a setup that has not started. */
export function emptyState(names: ResourceNames = { ...DEFAULT_RESOURCE_NAMES }): ProvisionState {
  return { version: STATE_VERSION, names, gateway: { host: DEFAULT_GATEWAY_HOSTNAME, port: DEFAULT_GATEWAY_PORT } };
}

/** True when the state records the resource of `kind`, or was creating it when a run stopped. */
export function hasResource(state: ProvisionState, kind: ResourceKind): boolean {
  const recorded = { tunnel: state.tunnel, vpcService: state.vpcService, kvNamespace: state.kvNamespace, worker: state.worker, accessApp: state.access }[kind];
  return recorded !== undefined || state.pending?.kind === kind;
}

/** True when the state records at least one Cloudflare resource. */
export function hasResources(state: ProvisionState): boolean {
  return Boolean(state.tunnel || state.vpcService || state.kvNamespace || state.worker || state.access || state.pending);
}

/** Validates parsed JSON as a state file; throws StateError naming the first problem. */
export function parseState(value: unknown, file: string): ProvisionState {
  const fail = (what: string): never => {
    throw new StateError(`${file} is not a valid state file: ${what}.`, "Restore it from a backup, or move it away and run setup with --adopt to take over the existing resources.");
  };
  const obj = record(value) ?? fail("not a JSON object");
  if (obj.version !== STATE_VERSION) fail(`unsupported version ${JSON.stringify(obj.version)}`);
  const names = record(obj.names) ?? fail("names missing");
  const gateway = record(obj.gateway) ?? fail("gateway missing");
  const state: ProvisionState = {
    version: STATE_VERSION,
    names: { tunnel: str(names.tunnel) ?? fail("names.tunnel"), vpcService: str(names.vpcService) ?? fail("names.vpcService"), worker: str(names.worker) ?? fail("names.worker") },
    gateway: { host: str(gateway.host) ?? fail("gateway.host"), port: typeof gateway.port === "number" ? gateway.port : fail("gateway.port") },
  };
  const optionalStr = (v: unknown, what: string): string | undefined => (v === undefined ? undefined : (str(v) ?? fail(what)));
  state.accountId = optionalStr(obj.accountId, "accountId");
  state.accountName = optionalStr(obj.accountName, "accountName");
  state.updatedAt = optionalStr(obj.updatedAt, "updatedAt");
  if (obj.allow !== undefined) state.allow = parseAllow(obj.allow) ?? fail("allow");
  const idName = (v: unknown, key: "name" | "title", what: string) => {
    const r = record(v) ?? fail(what);
    return { id: str(r.id) ?? fail(`${what}.id`), [key]: str(r[key]) ?? fail(`${what}.${key}`) };
  };
  if (obj.tunnel !== undefined) state.tunnel = idName(obj.tunnel, "name", "tunnel") as { id: string; name: string };
  if (obj.vpcService !== undefined) state.vpcService = idName(obj.vpcService, "name", "vpcService") as { id: string; name: string };
  if (obj.kvNamespace !== undefined) state.kvNamespace = idName(obj.kvNamespace, "title", "kvNamespace") as { id: string; title: string };
  if (obj.worker !== undefined) {
    const w = record(obj.worker) ?? fail("worker");
    state.worker = { name: str(w.name) ?? fail("worker.name") };
    if (w.subdomain !== undefined) state.worker.subdomain = optionalStr(w.subdomain, "worker.subdomain");
    if (w.url !== undefined) state.worker.url = optionalStr(w.url, "worker.url");
    if (w.deployedFingerprint !== undefined) state.worker.deployedFingerprint = optionalStr(w.deployedFingerprint, "worker.deployedFingerprint");
  }
  if (obj.workerVars !== undefined) {
    const v = record(obj.workerVars) ?? fail("workerVars");
    state.workerVars = {};
    if (v.corsOrigins !== undefined) state.workerVars.corsOrigins = typeof v.corsOrigins === "string" ? v.corsOrigins : fail("workerVars.corsOrigins");
    if (v.accessTokenTtlSeconds !== undefined) {
      state.workerVars.accessTokenTtlSeconds = Number.isInteger(v.accessTokenTtlSeconds) ? (v.accessTokenTtlSeconds as number) : fail("workerVars.accessTokenTtlSeconds");
    }
  }
  if (obj.access !== undefined) {
    const a = record(obj.access) ?? fail("access");
    state.access = {
      appId: str(a.appId) ?? fail("access.appId"),
      appName: str(a.appName) ?? fail("access.appName"),
      clientId: str(a.clientId) ?? fail("access.clientId"),
      clientSecret: str(a.clientSecret) ?? fail("access.clientSecret"),
      authDomain: str(a.authDomain) ?? fail("access.authDomain"),
    };
    if (a.policyId !== undefined) state.access.policyId = optionalStr(a.policyId, "access.policyId");
  }
  if (obj.secrets !== undefined) {
    const s = record(obj.secrets) ?? fail("secrets");
    state.secrets = {};
    for (const key of ["serviceToken", "previousServiceToken", "cookieEncryptionKey", "pushedFingerprint"] as const) {
      if (s[key] !== undefined) state.secrets[key] = optionalStr(s[key], `secrets.${key}`);
    }
  }
  if (obj.pending !== undefined) {
    const p = record(obj.pending) ?? fail("pending");
    const kind = str(p.kind);
    if (kind !== "tunnel" && kind !== "vpcService" && kind !== "kvNamespace" && kind !== "worker" && kind !== "accessApp") fail("pending.kind");
    state.pending = { kind: kind as ResourceKind, name: str(p.name) ?? fail("pending.name") };
  }
  return state;
}

/** Validates an allow rule (from the state file). */
function parseAllow(value: unknown): AllowRule | undefined {
  const r = record(value);
  if (!r) return undefined;
  if (r.kind === "everyone") return { kind: "everyone" };
  if (r.kind === "domain" && str(r.domain)) return { kind: "domain", domain: r.domain as string };
  if (r.kind === "emails" && Array.isArray(r.emails) && r.emails.length > 0 && r.emails.every((e) => typeof e === "string")) {
    return { kind: "emails", emails: [...(r.emails as string[])] };
  }
  return undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
