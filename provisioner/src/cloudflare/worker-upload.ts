/**
 * The Worker upload request, built by hand: a multipart body with a `metadata` field (JSON) and one
 * part per module, the same shape wrangler sends. Also the fingerprint that lets a re-run skip an
 * upload that would change nothing.
 */
import { createHash } from "node:crypto";
import type { WorkerModule } from "./types";

export type WorkerBinding =
  | { type: "kv_namespace"; name: string; namespace_id: string }
  | { type: "vpc_service"; name: string; service_id: string }
  /** Workers Rate Limiting, as wrangler uploads `[[ratelimits]]` (and the SDK's WorkersBindingKindRatelimit). */
  | { type: "ratelimit"; name: string; namespace_id: string; simple: { limit: number; period: number } }
  | { type: "plain_text"; name: string; text: string };

export interface WorkerUploadMetadata {
  main_module: string;
  compatibility_date: string;
  compatibility_flags: string[];
  bindings: WorkerBinding[];
  /** Binding types the API keeps from the previous version (secrets survive a re-deploy). */
  keep_bindings?: string[];
}

export interface WorkerUpload {
  metadata: WorkerUploadMetadata;
  modules: readonly WorkerModule[];
}

/** MIME type of a module part, by file extension (as wrangler maps module types). */
export function moduleContentType(fileName: string): string | undefined {
  if (/\.m?js$/.test(fileName)) return "application/javascript+module";
  if (fileName.endsWith(".cjs")) return "application/javascript";
  if (fileName.endsWith(".wasm")) return "application/wasm";
  if (/\.(txt|html|sql)$/.test(fileName)) return "text/plain";
  if (fileName.endsWith(".bin")) return "application/octet-stream";
  return undefined;
}

/** Builds the multipart body for `PUT /accounts/{a}/workers/scripts/{name}`. */
export function buildWorkerUploadForm(upload: WorkerUpload): FormData {
  const form = new FormData();
  form.set("metadata", JSON.stringify(upload.metadata));
  for (const module of upload.modules) {
    form.set(module.name, new File([module.content], module.name, { type: module.contentType }));
  }
  return form;
}

/**
 * A fingerprint of what the upload would deploy: module bytes and metadata, without
 * `keep_bindings` (which only differs between a first deploy and a re-deploy).
 */
export function uploadFingerprint(upload: WorkerUpload): string {
  const { keep_bindings: _keep, ...metadata } = upload.metadata;
  const hash = createHash("sha256");
  hash.update(JSON.stringify(metadata));
  for (const module of [...upload.modules].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`\0${module.name}\0${module.contentType}\0`);
    hash.update(module.content);
  }
  return hash.digest("hex");
}
