/**
 * Fake Workers and KV endpoints: the multipart script upload (parsed and checked the way the API
 * does: metadata part, main module part, module types, bindings that must point at existing KV
 * namespaces and VPC services, keep_bindings), the workers.dev subdomain (10007 when the account
 * has none), per-script workers.dev routes, and secrets (one by one, or in bulk).
 */
import { fail, paginate } from "./envelope";
import { hex, nowIso, type FakeAccount, type FakeScript } from "./model";
import { path, type FakeRequest, type Route } from "./route";

const SCRIPTS = ["Workers Scripts"] as const;
const KV = ["Workers KV Storage"] as const;
const MODULE_TYPES = new Set([
  "application/javascript+module",
  "application/javascript",
  "application/wasm",
  "text/plain",
  "application/octet-stream",
  "application/source-map",
]);
/** Upload validation errors come back as 10021. */
const INVALID_SCRIPT = 10021;

function getScript(account: FakeAccount, name: string): FakeScript {
  return account.scripts.get(name) ?? fail(404, 10007, "This Worker does not exist on your account.");
}

function scriptView(s: FakeScript): Record<string, unknown> {
  return {
    id: s.name,
    etag: s.etag,
    handlers: ["fetch"],
    created_on: s.createdOn,
    modified_on: s.modifiedOn,
    compatibility_date: s.metadata.compatibility_date,
    usage_model: "standard",
    has_modules: true,
  };
}

async function upload(req: FakeRequest): Promise<Record<string, unknown>> {
  if (!req.contentType.startsWith("multipart/form-data")) fail(400, INVALID_SCRIPT, "Expected a multipart/form-data upload");
  const form = await req.formData();
  const rawMetadata = form.get("metadata");
  const metadataText =
    typeof rawMetadata === "string"
      ? rawMetadata
      : rawMetadata
        ? await rawMetadata.text()
        : fail(400, INVALID_SCRIPT, "No metadata part in the upload");
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(metadataText) as Record<string, unknown>;
  } catch {
    return fail(400, INVALID_SCRIPT, "metadata is not valid JSON");
  }
  const modules = new Map<string, { contentType: string; content: Uint8Array }>();
  for (const [name, value] of form.entries()) {
    if (name === "metadata") continue;
    if (typeof value === "string") fail(400, INVALID_SCRIPT, `part ${name} must be a file part`);
    const file = value as File;
    const contentType = file.type.split(";")[0] ?? "";
    if (!MODULE_TYPES.has(contentType)) fail(400, INVALID_SCRIPT, `part ${name} has an unknown module type "${file.type}"`);
    if (file.name !== name) fail(400, INVALID_SCRIPT, `part ${name} has the file name "${file.name}"`);
    modules.set(name, { contentType, content: new Uint8Array(await file.arrayBuffer()) });
  }
  const main =
    typeof metadata.main_module === "string"
      ? metadata.main_module
      : fail(400, INVALID_SCRIPT, "metadata.main_module is required for module Workers");
  const mainPart = modules.get(main) ?? fail(400, INVALID_SCRIPT, `No such module "${main}": the main module part is missing`);
  if (mainPart.contentType !== "application/javascript+module")
    fail(400, INVALID_SCRIPT, `main module ${main} must be application/javascript+module`);
  if (!/\bexport\b/.test(new TextDecoder().decode(mainPart.content)))
    fail(400, INVALID_SCRIPT, `Uncaught SyntaxError: ${main} has no exports (not an ES module)`);
  if (typeof metadata.compatibility_date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(metadata.compatibility_date))
    fail(400, INVALID_SCRIPT, "compatibility_date must be YYYY-MM-DD");
  if (
    metadata.compatibility_flags !== undefined &&
    !(Array.isArray(metadata.compatibility_flags) && metadata.compatibility_flags.every((f) => typeof f === "string"))
  ) {
    fail(400, INVALID_SCRIPT, "compatibility_flags must be a list of strings");
  }
  const bindings = Array.isArray(metadata.bindings)
    ? (metadata.bindings as Array<Record<string, unknown>>)
    : fail(400, INVALID_SCRIPT, "metadata.bindings must be a list");
  const names = new Set<string>();
  const secrets = new Map<string, string>();
  for (const b of bindings) {
    const name =
      typeof b.name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(b.name)
        ? b.name
        : fail(400, INVALID_SCRIPT, `binding name ${JSON.stringify(b.name)} is not valid`);
    if (names.has(name)) fail(400, INVALID_SCRIPT, `binding ${name} is defined twice`);
    names.add(name);
    if (b.type === "kv_namespace") {
      if (typeof b.namespace_id !== "string" || !req.account.kv.has(b.namespace_id))
        fail(400, 10041, `KV namespace ${String(b.namespace_id)} for binding ${name} not found`);
    } else if (b.type === "vpc_service") {
      if (typeof b.service_id !== "string" || !req.account.services.has(b.service_id))
        fail(400, INVALID_SCRIPT, `VPC service ${String(b.service_id)} for binding ${name} not found`);
    } else if (b.type === "ratelimit") {
      // As the API validates a Workers Rate Limiting binding: a numeric namespace id, a positive limit, a period of 10 or 60 s.
      const simple = (typeof b.simple === "object" && b.simple !== null ? b.simple : {}) as Record<string, unknown>;
      if (typeof b.namespace_id !== "string" || !/^[1-9]\d*$/.test(b.namespace_id))
        fail(400, INVALID_SCRIPT, `binding ${name} needs a numeric namespace_id`);
      if (!Number.isInteger(simple.limit) || (simple.limit as number) <= 0 || (simple.period !== 10 && simple.period !== 60)) {
        fail(400, INVALID_SCRIPT, `binding ${name} needs simple.limit > 0 and simple.period 10 or 60`);
      }
    } else if (b.type === "plain_text" || b.type === "secret_text") {
      if (typeof b.text !== "string") fail(400, INVALID_SCRIPT, `binding ${name} needs text`);
      if (b.type === "secret_text") secrets.set(name, b.text as string);
    } else {
      fail(400, INVALID_SCRIPT, `binding ${name} has an unsupported type ${String(b.type)}`);
    }
  }
  const keep = metadata.keep_bindings;
  if (keep !== undefined && !(Array.isArray(keep) && keep.every((k) => typeof k === "string")))
    fail(400, INVALID_SCRIPT, "keep_bindings must be a list of binding types");
  const name = req.params.name ?? "";
  const existing = req.account.scripts.get(name);
  const keptSecrets = existing && Array.isArray(keep) && keep.includes("secret_text") ? existing.secrets : new Map<string, string>();
  const script: FakeScript = {
    name,
    metadata,
    modules,
    secrets: new Map([...keptSecrets, ...secrets]),
    workersDev: existing?.workersDev ?? false,
    createdOn: existing?.createdOn ?? nowIso(),
    modifiedOn: nowIso(),
    etag: hex(32),
    edgeWarmup: existing?.edgeWarmup ?? 0,
    uploads: (existing?.uploads ?? 0) + 1,
    raw: { contentType: req.contentType, body: req.body },
  };
  req.account.scripts.set(name, script);
  return scriptView(script);
}

function readSecret(value: unknown, key?: string): { name: string; text: string } {
  const s = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : fail(400, 10021, "secret must be an object");
  const name = typeof s.name === "string" ? s.name : (key ?? fail(400, 10021, "secret name is required"));
  if (key !== undefined && name !== key) fail(400, 10021, `secret ${key} has the name ${name}`);
  if (s.type !== "secret_text") fail(400, 10021, "only secret_text secrets are supported here");
  if (typeof s.text !== "string") fail(400, 10021, `secret ${name} needs text`);
  return { name, text: s.text as string };
}

export const workersRoutes: Route[] = [
  {
    method: "GET",
    pattern: path("/accounts/:a/workers/subdomain"),
    permission: [SCRIPTS, "read"],
    handle: ({ account }) => ({ result: { subdomain: account.workersSubdomain ?? fail(404, 10007, "workers.api.error.not_found") } }),
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/workers/scripts"),
    permission: [SCRIPTS, "read"],
    handle: ({ account }) => ({ result: [...account.scripts.values()].map(scriptView) }),
  },
  {
    method: "PUT",
    pattern: path("/accounts/:a/workers/scripts/:name"),
    permission: [SCRIPTS, "edit"],
    handle: async (req) => ({ result: await upload(req) }),
  },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/workers/scripts/:name"),
    permission: [SCRIPTS, "edit"],
    handle: ({ account, params }) => {
      getScript(account, params.name ?? "");
      account.scripts.delete(params.name ?? "");
      return { result: null };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/workers/scripts/:name/subdomain"),
    permission: [SCRIPTS, "read"],
    handle: ({ account, params }) => ({ result: { enabled: getScript(account, params.name ?? "").workersDev, previews_enabled: false } }),
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/workers/scripts/:name/subdomain"),
    permission: [SCRIPTS, "edit"],
    handle: (req) => {
      const script = getScript(req.account, req.params.name ?? "");
      const body = req.json();
      if (typeof body.enabled !== "boolean") fail(400, 10021, "enabled must be a boolean");
      if (!req.account.workersSubdomain) fail(400, 10063, "You need a workers.dev subdomain in order to proceed.");
      script.workersDev = body.enabled as boolean;
      return { result: { enabled: script.workersDev, previews_enabled: false } };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/workers/scripts/:name/secrets"),
    permission: [SCRIPTS, "read"],
    handle: ({ account, params }) => ({
      result: [...getScript(account, params.name ?? "").secrets.keys()].map((name) => ({ name, type: "secret_text" })),
    }),
  },
  {
    method: "PUT",
    pattern: path("/accounts/:a/workers/scripts/:name/secrets"),
    permission: [SCRIPTS, "edit"],
    handle: (req) => {
      const script = getScript(req.account, req.params.name ?? "");
      const secret = readSecret(req.json());
      script.secrets.set(secret.name, secret.text);
      return { result: { name: secret.name, type: "secret_text" } };
    },
  },
  {
    method: "PATCH",
    pattern: path("/accounts/:a/workers/scripts/:name/secrets-bulk"),
    permission: [SCRIPTS, "edit"],
    handle: (req) => {
      const script = getScript(req.account, req.params.name ?? "");
      const body = req.json();
      const secrets =
        typeof body.secrets === "object" && body.secrets !== null
          ? (body.secrets as Record<string, unknown>)
          : fail(400, 10021, "secrets is required");
      const changes = Object.entries(secrets).map(([key, value]) => (value === null ? { name: key, text: null } : readSecret(value, key)));
      // All or nothing: validated above before anything changes.
      for (const change of changes) {
        if (change.text === null) script.secrets.delete(change.name);
        else script.secrets.set(change.name, change.text);
      }
      return { result: Object.fromEntries([...script.secrets.keys()].map((name) => [name, { name, type: "secret_text" }])) };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/storage/kv/namespaces"),
    permission: [KV, "read"],
    handle: ({ account, query }) =>
      paginate(
        [...account.kv.values()].map((n) => ({ ...n, supports_url_encoding: true })),
        query,
      ),
  },
  {
    method: "POST",
    pattern: path("/accounts/:a/storage/kv/namespaces"),
    permission: [KV, "edit"],
    handle: (req) => {
      const body = req.json();
      const title = typeof body.title === "string" ? body.title.trim() : "";
      if (!title) fail(400, 10019, "title is required");
      if ([...req.account.kv.values()].some((n) => n.title === title))
        fail(400, 10014, "a namespace with this account ID and title already exists");
      const namespace = { id: hex(16), title };
      req.account.kv.set(namespace.id, namespace);
      return { result: { ...namespace, supports_url_encoding: true } };
    },
  },
  {
    method: "GET",
    pattern: path("/accounts/:a/storage/kv/namespaces/:id"),
    permission: [KV, "read"],
    handle: ({ account, params }) => ({ result: account.kv.get(params.id ?? "") ?? fail(404, 10013, "namespace not found") }),
  },
  {
    method: "DELETE",
    pattern: path("/accounts/:a/storage/kv/namespaces/:id"),
    permission: [KV, "edit"],
    handle: ({ account, params }) => {
      if (!account.kv.delete(params.id ?? "")) fail(404, 10013, "namespace not found");
      return { result: null };
    },
  },
];
