/**
 * `/token` in front of the OAuth library: the body is read under a cap first (413 beyond), RFC
 * 8707 resource values are normalised, then a code exchange goes through exchangeCodeOnce and a
 * refresh through reuse detection; everything else (and every check the library makes) is the
 * library's. Also `/revoke`, the revocation-only alias (RFC 7009), under its own cap.
 */
import type { OAuthHelpers, OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { WORKER_PATHS } from "@mcpbox/shared";
import { BODY_LIMITS, bufferedRequest } from "../http/body-limit";
import { derivedHmacKey } from "../http/derived-keys";
import { WorkerError } from "../http/errors";
import type { WorkerConfig } from "../env";
import { exchangeCodeOnce } from "./code-exchange";
import { refreshWithReuseDetection, requestDigest } from "./refresh-reuse";
import type { ProviderEnv } from "./request-context";
import { normalizeTokenRequest } from "./resource";

export interface TokenEndpointDeps {
  provider: OAuthProvider<ProviderEnv>;
  env: ProviderEnv;
  ctx: ExecutionContext;
  config: WorkerConfig;
  /** The library's helpers for this request's env. */
  helpers: () => OAuthHelpers;
  nowSeconds: () => number;
}

const REFRESH_SEAL_LABEL = "mcpbox refresh grace v1";

/** POST /token (other methods go straight to the library, which answers them). */
export async function tokenEndpoint(request: Request, deps: TokenEndpointDeps): Promise<Response> {
  const { provider, env, ctx } = deps;
  if (request.method !== "POST") return provider.fetch(request, env, ctx);
  const { request: buffered, bytes } = await bufferedRequest(request, BODY_LIMITS.token);
  const normalized = await normalizeTokenRequest(buffered, new URL(request.url).origin);
  const form = isForm(request) ? new URLSearchParams(new TextDecoder().decode(bytes)) : undefined;
  const forward = () => provider.fetch(normalized, env, ctx);
  const grantType = form?.getAll("grant_type");
  if (!form || grantType?.length !== 1) return forward();

  const codes = form.getAll("code");
  if (grantType[0] === "authorization_code" && codes.length === 1 && codes[0]) {
    return exchangeCodeOnce(codes[0], { helpers: deps.helpers }, forward);
  }
  const tokens = form.getAll("refresh_token");
  if (grantType[0] === "refresh_token" && tokens.length === 1 && tokens[0]) {
    const outcome = await refreshWithReuseDetection(
      { refreshToken: tokens[0], digest: await requestDigest(request.headers.get("Authorization"), bytes) },
      {
        kv: deps.config.kv,
        revokeGrant: (grantId, userId) => deps.helpers().revokeGrant(grantId, userId),
        sealKey: await derivedHmacKey(deps.config.cookieKey, REFRESH_SEAL_LABEL),
        nowSeconds: deps.nowSeconds(),
      },
      forward,
    );
    if (outcome.kind === "forwarded") return outcome.response;
    if (outcome.kind === "replayed") return tokenJson(request, 200, outcome.body);
    return tokenJson(
      request,
      400,
      JSON.stringify({
        error: "invalid_grant",
        error_description: "This refresh token was already used, so every token of this sign-in was revoked. Sign in again.",
      }),
    );
  }
  return forward();
}

/** POST /revoke: a token and no grant_type (RFC 7009 §2.1), forwarded to the library's token endpoint. */
export async function revokeEndpoint(request: Request, deps: Pick<TokenEndpointDeps, "provider" | "env" | "ctx">): Promise<Response> {
  const url = new URL(request.url);
  const target = `${url.origin}${WORKER_PATHS.token}${url.search}`;
  if (request.method !== "POST") return deps.provider.fetch(new Request(target, request), deps.env, deps.ctx);
  const { request: buffered, bytes } = await bufferedRequest(request, BODY_LIMITS.revoke);
  const form = new URLSearchParams(new TextDecoder().decode(bytes));
  if (form.has("grant_type") || !form.has("token")) {
    throw new WorkerError("authorization_invalid", "This address only revokes tokens: send `token` and no `grant_type`.", {
      hint: `Token requests go to ${WORKER_PATHS.token}.`,
    });
  }
  return deps.provider.fetch(new Request(target, buffered), deps.env, deps.ctx);
}

function isForm(request: Request): boolean {
  return (request.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/** A JSON token-endpoint answer of our own, with the headers the library gives its own (no-store, CORS). */
function tokenJson(request: Request, status: number, body: string): Response {
  const headers = new Headers({ "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" });
  const origin = request.headers.get("Origin");
  if (origin) {
    headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Vary", "Origin");
    headers.set("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After");
  }
  return new Response(body, { status, headers });
}
