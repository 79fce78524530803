/**
 * The protected resource this Worker serves and the resource indicators it accepts (RFC 8707).
 * The canonical resource is the Worker's origin (`https://<worker>/`), which covers both `/mcp`
 * and the `/` alias, so a client that connects to either URL gets a token that works there.
 */
import { WORKER_PATHS } from "@mcpbox/shared";

/** The canonical resource identifier for a Worker origin: the origin with a `/` path. */
export function canonicalResource(origin: string): string {
  return `${origin}/`;
}

/** The resource a client names when it connects to the `/mcp` URL and echoes that URL. */
export function mcpAliasResource(origin: string): string {
  return `${origin}${WORKER_PATHS.mcp}`;
}

/**
 * Maps a `resource` value naming this Worker's `/mcp` URL to the canonical resource. RFC 8707
 * §2.2 lets an authorization server map a requested resource to a more general one; the token is
 * no broader, because only `/mcp` and `/` accept tokens on this origin. Other values pass through
 * untouched and the OAuth library judges them.
 */
function normalizeResourceValue(value: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  const sameOrigin = url.origin === origin;
  const isMcpPath = url.pathname === WORKER_PATHS.mcp && url.search === "" && url.hash === "";
  return sameOrigin && isMcpPath && !url.username && !url.password ? canonicalResource(origin) : value;
}

/** The authorization request with its `resource` values normalized (unchanged when nothing maps). */
export function normalizeAuthorizeRequest(request: Request, origin: string): Request {
  const url = new URL(request.url);
  const values = url.searchParams.getAll("resource");
  const mapped = values.map((value) => normalizeResourceValue(value, origin));
  if (mapped.every((value, index) => value === values[index])) return request;
  url.searchParams.delete("resource");
  for (const value of mapped) url.searchParams.append("resource", value);
  return new Request(url.href, request);
}

/** The token request with its form-encoded `resource` values normalized (unchanged when nothing maps). */
export async function normalizeTokenRequest(request: Request, origin: string): Promise<Request> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (request.method !== "POST" || !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) return request;
  const form = await readUrlEncoded(request);
  const values = form.getAll("resource");
  const mapped = values.map((value) => normalizeResourceValue(value, origin));
  if (mapped.every((value, index) => value === values[index])) return request;
  form.delete("resource");
  for (const value of mapped) form.append("resource", value);
  const headers = new Headers(request.headers);
  headers.delete("Content-Length");
  return new Request(request.url, { method: request.method, headers, body: form.toString() });
}

/** The request's `application/x-www-form-urlencoded` body, read from a clone (the original stays unread). */
async function readUrlEncoded(request: Request): Promise<URLSearchParams> {
  return new URLSearchParams(new TextDecoder().decode(await request.clone().arrayBuffer()));
}
