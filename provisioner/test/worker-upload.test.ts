/**
 * The hand-built Worker upload: the exact multipart shape (a `metadata` field with JSON, one file
 * part per module named as in main_module, typed application/javascript+module), the bindings,
 * keep_bindings on re-deploys only, and the wrangler.toml settings it is built from.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { WORKER_BINDINGS } from "@mcpbox/shared";
import { REPO_ROOT } from "../src/bundle/wrangler-bundle";
import { readWranglerSettings } from "../src/bundle/wrangler-config";
import { buildWorkerUploadForm, moduleContentType, uploadFingerprint, type WorkerUpload } from "../src/cloudflare/worker-upload";
import { runSetup } from "../src/commands/setup";
import { createHarness, FIXTURE_MODULE, type Harness } from "./helpers/harness";

const upload: WorkerUpload = {
  metadata: {
    main_module: "index.js",
    compatibility_date: "2026-08-01",
    compatibility_flags: ["global_fetch_strictly_public"],
    bindings: [
      { type: "kv_namespace", name: "OAUTH_KV", namespace_id: "0123456789abcdef0123456789abcdef" },
      { type: "vpc_service", name: "MCPBOX_TUNNEL", service_id: "6f1c0c2e-3b1a-4d6e-9c41-5d2f0f7f8a10" },
      // The shape wrangler sends for [[ratelimits]] (and the cloudflare SDK's WorkersBindingKindRatelimit).
      { type: "ratelimit", name: "REGISTER_RATE_LIMITER", namespace_id: "41001", simple: { limit: 10, period: 60 } },
    ],
  },
  modules: [{ name: "index.js", contentType: "application/javascript+module", content: new TextEncoder().encode("export default {};\n") }],
};

describe("multipart body", () => {
  it("has exactly a metadata field and one typed file part per module", async () => {
    const form = buildWorkerUploadForm(upload);
    const request = new Request("http://upload.test/", { method: "PUT", body: form });
    const boundary = /boundary=(.+)$/.exec(request.headers.get("content-type") ?? "")?.[1] ?? "";
    const parts = (await request.text()).split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(2);
    const [metadata, module] = parts;
    expect(metadata).toMatch(/^\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n/);
    expect(JSON.parse(metadata?.split("\r\n\r\n")[1]?.trim() ?? "")).toEqual(upload.metadata);
    expect(module).toContain('Content-Disposition: form-data; name="index.js"; filename="index.js"');
    expect(module).toContain("Content-Type: application/javascript+module");
    expect(module).toContain("export default {};");
  });

  it("maps module files to the types the API knows", () => {
    expect(moduleContentType("index.js")).toBe("application/javascript+module");
    expect(moduleContentType("chunk.mjs")).toBe("application/javascript+module");
    expect(moduleContentType("legacy.cjs")).toBe("application/javascript");
    expect(moduleContentType("x.wasm")).toBe("application/wasm");
    expect(moduleContentType("index.js.map")).toBeUndefined();
    expect(moduleContentType("README.md")).toBeUndefined();
  });

  it("fingerprints what would be deployed, ignoring keep_bindings", () => {
    const again = { ...upload, metadata: { ...upload.metadata, keep_bindings: ["secret_text"] } };
    expect(uploadFingerprint(again)).toBe(uploadFingerprint(upload));
    const other = { ...upload, modules: [{ ...upload.modules[0]!, content: new TextEncoder().encode("export default { v: 2 };\n") }] };
    expect(uploadFingerprint(other)).not.toBe(uploadFingerprint(upload));
  });
});

describe("upload during setup", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("sends the bundle, the bindings and the vars; keep_bindings only when re-deploying", async () => {
    await runSetup({ ...h.options, gatewayHost: "gw.internal", gatewayPort: 9000 }, h.deps);
    const script = h.account.scripts.get("mcpbox-proxy");
    const [kv] = h.account.kv.values();
    const [service] = h.account.services.values();
    expect(script?.metadata).toEqual({
      main_module: "index.js",
      compatibility_date: "2026-08-01",
      compatibility_flags: ["nodejs_compat"],
      bindings: [
        { type: "kv_namespace", name: "OAUTH_KV", namespace_id: kv?.id },
        { type: "vpc_service", name: "MCPBOX_TUNNEL", service_id: service?.id },
        { type: "ratelimit", name: "REGISTER_RATE_LIMITER", namespace_id: "41001", simple: { limit: 10, period: 60 } },
        { type: "ratelimit", name: "AUTHORIZE_RATE_LIMITER", namespace_id: "41002", simple: { limit: 30, period: 60 } },
        { type: "plain_text", name: "ACCESS_TOKEN_TTL_SECONDS", text: "3600" },
        { type: "plain_text", name: "ALLOWED_EMAILS", text: "me@example.com" },
        { type: "plain_text", name: "CORS_ORIGINS", text: "" },
        { type: "plain_text", name: "GATEWAY_TARGET_HOST", text: "gw.internal" },
        { type: "plain_text", name: "GATEWAY_TARGET_PORT", text: "9000" },
      ],
    });
    expect([...(script?.modules.keys() ?? [])]).toEqual(["index.js"]);
    // On the wire: exactly two parts, the metadata field and the module file.
    const boundary = /boundary=(.+)$/.exec(script?.raw.contentType ?? "")?.[1] ?? "none";
    const parts = (script?.raw.body.toString("utf8") ?? "").split(`--${boundary}`).slice(1, -1);
    expect(parts.map((p) => /Content-Disposition: form-data; ([^\r]*)/.exec(p)?.[1])).toEqual(['name="metadata"', 'name="index.js"; filename="index.js"']);
    expect(parts[1]).toContain("Content-Type: application/javascript+module");
    expect(new TextDecoder().decode(script?.modules.get("index.js")?.content)).toBe(FIXTURE_MODULE);
    // Secrets are never part of the upload: they go through secrets-bulk.
    expect(JSON.stringify(script?.metadata)).not.toContain("secret_text");
  });
});

describe("wrangler.toml settings", () => {
  it("reads main, compatibility settings and [vars], ignoring other tables", () => {
    const settings = readWranglerSettings(`# comment
name = "mcpbox-proxy"
main = "worker/src/index.ts"
compatibility_date = "2026-08-01" # trailing comment
compatibility_flags = [
  "global_fetch_strictly_public", # why
  'nodejs_compat',
]

[[kv_namespaces]]
binding = "OAUTH_KV"
id = "0000"

[[ratelimits]]
name = "REGISTER_RATE_LIMITER"
namespace_id = "41001" # per-IP registrations
simple = { limit = 10, period = 60 }

[vars]
GATEWAY_TARGET_HOST = "mcp-gateway"
CORS_ORIGINS = "https://a.example, https://b.example#x"

[secrets]
required = [
  "MCPBOX_SERVICE_TOKEN",
]
`);
    expect(settings).toEqual({
      main: "worker/src/index.ts",
      compatibilityDate: "2026-08-01",
      compatibilityFlags: ["global_fetch_strictly_public", "nodejs_compat"],
      vars: { GATEWAY_TARGET_HOST: "mcp-gateway", CORS_ORIGINS: "https://a.example, https://b.example#x" },
      rateLimits: [{ name: "REGISTER_RATE_LIMITER", namespace_id: "41001", simple: { limit: 10, period: 60 } }],
    });
  });

  it("refuses an incomplete [[ratelimits]] entry instead of uploading a broken binding", () => {
    expect(() => readWranglerSettings('[[ratelimits]]\nname = "X"\nnamespace_id = "7"\nsimple = { limit = 5, period = 30 }\n')).toThrow(/period = 10\|60/);
    expect(() => readWranglerSettings('[[ratelimits]]\nname = "X"\nnamespace_id = "abc"\nsimple = { limit = 5, period = 60 }\n')).toThrow(/numeric namespace_id/);
  });

  it("the repository's wrangler.toml declares one rate limiter per limited step, with the names the Worker reads", async () => {
    const settings = readWranglerSettings(await readFile(path.join(REPO_ROOT, "wrangler.toml"), "utf8"));
    expect(settings.rateLimits.map((r) => r.name).sort()).toEqual([WORKER_BINDINGS.authorizeLimiter, WORKER_BINDINGS.registerLimiter].sort());
    expect(new Set(settings.rateLimits.map((r) => r.namespace_id)).size).toBe(2);
    expect(settings.rateLimits.every((r) => r.simple.period === 60)).toBe(true);
  });
});
