/**
 * The consent page shown before any MCP client is sent to Cloudflare Access (MCP security best
 * practices, confused deputy): the client's name, where its tokens go, and the scopes. Every
 * string from the client is cleaned of control and bidirectional-format characters, escaped and
 * isolated in `<bdi>`; the redirect host is shown in ASCII (punycode). No scripts, no framing.
 */
import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import { displayText, escapeHtml, html, isolated, renderPage } from "../http/html";

/** Names of the consent form's fields, shared by the page and the POST handler. */
export const CONSENT_FIELDS = {
  handle: "handle",
  csrf: "csrf_token",
  clientId: "client_id",
  decision: "decision",
} as const;

export const CONSENT_DECISIONS = { approve: "approve", deny: "deny" } as const;

const MAX_NAME_CHARS = 80;
const MAX_HOST_CHARS = 255;

export interface ConsentPageInput {
  details: ConsentDescription;
  handle: string;
  csrfToken: string;
  /** This server's host, named so the user knows what they are granting access to. */
  serverHost: string;
}

/**
 * Where the tokens go, in ASCII: the WHATWG URL parser turns an internationalized host into its
 * punycode form (UTS #46), so look-alike scripts show as `xn--…`.
 */
function redirectHostForDisplay(redirectUri: string): string {
  try {
    const url = new URL(redirectUri);
    return displayText(url.hostname || `${url.protocol}${url.pathname}`, MAX_HOST_CHARS);
  } catch {
    // The library validated the URI; a parse failure here would be a bug, so show it raw but clean.
    return displayText(redirectUri, MAX_HOST_CHARS);
  }
}

/** The consent page HTML. */
export function renderConsentPage({ details, handle, csrfToken, serverHost }: ConsentPageInput): string {
  const nameText = displayText(details.clientName, MAX_NAME_CHARS) || displayText(details.clientId, MAX_NAME_CHARS);
  const name = isolated(nameText);
  const host = isolated(redirectHostForDisplay(details.redirectUri));
  const publisher = details.clientDomain
    ? html("This app is published by ", isolated(displayText(details.clientDomain, MAX_HOST_CHARS)), ".")
    : "This app registered itself; its name is not verified.";
  const scopes = details.scope.length > 0 ? html("It asks for: ", isolated(displayText(details.scope.join(", "), 500)), ".") : "It asks for no specific scopes.";
  const loopbackWarning = details.redirectIsLoopback
    ? `<p class="warn"><strong>${html("Access will be sent to an app on your own computer (", host, ").").html}</strong> Continue only if you just started connecting from it.</p>`
    : "";
  const hidden = (field: string, value: string) => `<input type="hidden" name="${escapeHtml(field)}" value="${escapeHtml(value)}">`;
  const form = `${loopbackWarning}
<form method="post">
${hidden(CONSENT_FIELDS.handle, handle)}
${hidden(CONSENT_FIELDS.csrf, csrfToken)}
${hidden(CONSENT_FIELDS.clientId, details.clientId)}
<p><button name="${CONSENT_FIELDS.decision}" value="${CONSENT_DECISIONS.approve}">Allow</button><button name="${CONSENT_FIELDS.decision}" value="${CONSENT_DECISIONS.deny}">Deny</button></p>
</form>`;
  return renderPage({
    title: `Allow ${nameText}?`,
    heading: html("Allow ", name, ` to use the MCP server at ${serverHost}?`),
    paragraphs: [
      publisher,
      html("If you allow it, you will sign in with Cloudflare Access and ", name, " will act as you on this server. Its access is sent to ", host, "."),
      scopes,
    ],
    extraHtml: form,
  });
}
