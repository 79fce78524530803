/**
 * OAuth discovery served on top of the library's documents: the protected resource metadata for
 * the `/mcp` URL (RFC 9728 §3.1 path form), the authorization server metadata as this Worker
 * really behaves (RFC 8414 §2), and the 401 challenge on `/mcp` pointing at the `/mcp` document.
 */
import type { OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { WORKER_PATHS } from "@mcpbox/shared";
import type { ProviderEnv } from "../oauth/request-context";
import { mcpAliasResource } from "../oauth/resource";

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
  return rewriteJson(await provider.fetch(root, env, ctx), request, (document) => ({
    ...document,
    resource: mcpAliasResource(url.origin),
  }));
}

/**
 * `/.well-known/oauth-authorization-server`: revocation lives at `/revoke` (RFC 7009), and
 * `private_key_jwt` is not advertised, because dynamic registration does not offer it and a
 * client that picks it from the metadata would fail to register.
 */
export async function authorizationServerMetadata(
  request: Request,
  provider: OAuthProvider<ProviderEnv>,
  env: ProviderEnv,
  ctx: ExecutionContext,
): Promise<Response> {
  const origin = new URL(request.url).origin;
  return rewriteJson(await provider.fetch(request, env, ctx), request, (document) => {
    const methods = Array.isArray(document.token_endpoint_auth_methods_supported) ? document.token_endpoint_auth_methods_supported : [];
    const { token_endpoint_auth_signing_alg_values_supported: _signing, ...rest } = document;
    return {
      ...rest,
      token_endpoint_auth_methods_supported: methods.filter((method) => method !== "private_key_jwt"),
      revocation_endpoint: `${origin}${WORKER_PATHS.revoke}`,
    };
  });
}

/**
 * On `/mcp`, the library's 401 names the root metadata document; a client that connected to
 * `/mcp` must be sent to `/.well-known/oauth-protected-resource/mcp`, whose `resource` is the URL
 * it connected to (RFC 9728 §5.1; MCP authorization, protected resource metadata discovery).
 */
export function pointChallengeAtMcpMetadata(response: Response, url: URL): Response {
  const challenge = response.headers.get("WWW-Authenticate");
  if (url.pathname !== WORKER_PATHS.mcp || !challenge) return response;
  const root = `resource_metadata="${url.origin}${WORKER_PATHS.protectedResourceMetadata}"`;
  if (!challenge.includes(root)) return response;
  const headers = new Headers(response.headers);
  headers.set("WWW-Authenticate", challenge.replace(root, `resource_metadata="${url.origin}${WORKER_PATHS.protectedResourceMetadataMcp}"`));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function rewriteJson(
  response: Response,
  request: Request,
  edit: (document: Record<string, unknown>) => Record<string, unknown>,
): Promise<Response> {
  if (request.method !== "GET" || response.status !== 200) return response;
  const document: unknown = await response.json();
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new Error("OAuth metadata is not a JSON object");
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  return new Response(JSON.stringify(edit(document as Record<string, unknown>)), { status: 200, headers });
}
