/**
 * Two OAuth addresses served on top of the library's endpoints: the protected resource metadata
 * for the `/mcp` URL (RFC 9728 §3.1 path form) and `/revoke`, a revocation-only alias of the
 * token endpoint, which handles RFC 7009 revocation itself.
 */
import type { OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { WORKER_PATHS } from "@mcpbox/shared";
import { WorkerError } from "../http/errors";
import type { ProviderEnv } from "../oauth/request-context";
import { mcpAliasResource, readUrlEncoded } from "../oauth/resource";

/**
 * `/.well-known/oauth-protected-resource/mcp`: the library's document with `resource` set to the
 * `/mcp` URL, as RFC 9728 §3.3 requires of metadata fetched at this path. The authorization and
 * token endpoints map that value to the canonical resource (see oauth/resource.ts).
 */
export async function mcpResourceMetadata(
  request: Request,
  provider: OAuthProvider<ProviderEnv>,
  env: ProviderEnv,
  ctx: ExecutionContext,
): Promise<Response> {
  const url = new URL(request.url);
  const root = new Request(`${url.origin}${WORKER_PATHS.protectedResourceMetadata}`, { method: request.method, headers: request.headers });
  const response = await provider.fetch(root, env, ctx);
  if (request.method !== "GET" || response.status !== 200) return response;
  const document: unknown = await response.json();
  if (typeof document !== "object" || document === null) throw new Error("protected resource metadata is not an object");
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(JSON.stringify({ ...document, resource: mcpAliasResource(url.origin) }), { status: 200, headers });
}

/** `/revoke`: forwards revocation requests (RFC 7009 §2.1: a `token`, no `grant_type`) to the token endpoint. */
export async function revoke(request: Request, provider: OAuthProvider<ProviderEnv>, env: ProviderEnv, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const target = `${url.origin}${WORKER_PATHS.token}${url.search}`;
  if (request.method === "POST") {
    const form = await readUrlEncoded(request);
    if (form.has("grant_type") || !form.has("token")) {
      throw new WorkerError("authorization_invalid", 400, "This address only revokes tokens: send `token` and no `grant_type`.", {
        hint: `Token requests go to ${WORKER_PATHS.token}.`,
      });
    }
  }
  return provider.fetch(new Request(target, request), env, ctx);
}
