/**
 * Whether an authorization request arrived as the client's own sign-in flow, as far as the
 * browser tells (Fetch Metadata Request Headers, W3C; Referer, RFC 9110 §10.1.3). Only then may a
 * remembered approval skip the consent page: a link an attacker plants for a client the person
 * approved before (CIMD client ids and redirect URIs are public) gets the page again.
 *
 * The flow of a native or CLI client (Claude Desktop, Cursor, mcp-remote) opens the system browser:
 * a user-activated navigation from no site (`Sec-Fetch-Site: none`, `Sec-Fetch-User: ?1`). The flow
 * of a web client (claude.ai, chatgpt.com) navigates from the client's own site: the `Referer`
 * origin is the redirect URI's origin or, for a Client ID Metadata Document client, its client id's.
 * Anything else (another site, an iframe or image, no fetch metadata, no Referer) shows the page.
 * Residual: a link opened from a native mail or chat app looks like a native client; docs/decisions.md.
 */

/** True when the browser reports a top-level navigation started by the client that owns `redirectUri`. */
export function isClientFlowNavigation(request: Request, redirectUri: string, clientId: string): boolean {
  const headers = request.headers;
  if (headers.get("Sec-Fetch-Mode") !== "navigate" || headers.get("Sec-Fetch-Dest") !== "document") return false;
  const site = headers.get("Sec-Fetch-Site");
  if (site === "none") return headers.get("Sec-Fetch-User") === "?1";
  if (site !== "cross-site" && site !== "same-site") return false;
  const referer = originOf(headers.get("Referer"));
  if (referer === undefined) return false;
  const owners = [originOf(redirectUri), clientId.startsWith("https://") ? originOf(clientId) : undefined];
  return owners.includes(referer);
}

function originOf(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : undefined;
  } catch {
    // Not a URL (a private-use redirect scheme or a garbled Referer): no origin to match.
    return undefined;
  }
}
