/**
 * The consent page shown before any MCP client is sent to Cloudflare Access (MCP security best
 * practices, confused deputy): the client's name, where its tokens go, and the scopes. Every
 * string from the client is escaped; the page carries no scripts and cannot be framed.
 */
import type { ConsentDescription } from "@cloudflare/workers-oauth-provider";
import { escapeHtml, renderPage } from "../http/html";

/** Names of the consent form's fields, shared by the page and the POST handler. */
export const CONSENT_FIELDS = {
  handle: "handle",
  csrf: "csrf_token",
  clientId: "client_id",
  decision: "decision",
} as const;

export const CONSENT_DECISIONS = { approve: "approve", deny: "deny" } as const;

export interface ConsentPageInput {
  details: ConsentDescription;
  handle: string;
  csrfToken: string;
  /** This server's host, named so the user knows what they are granting access to. */
  serverHost: string;
}

/** The consent page HTML. */
export function renderConsentPage({ details, handle, csrfToken, serverHost }: ConsentPageInput): string {
  const name = details.clientName;
  const publisher = details.clientDomain
    ? `This app is published by ${details.clientDomain}.`
    : "This app registered itself; its name is not verified.";
  const scopes = details.scope.length > 0 ? `It asks for: ${details.scope.join(", ")}.` : "It asks for no specific scopes.";
  const loopbackWarning = details.redirectIsLoopback
    ? `<p class="warn"><strong>Access will be sent to an app on your own computer (${escapeHtml(details.redirectHost)}).</strong> Continue only if you just started connecting from it.</p>`
    : "";
  const hidden = (field: string, value: string) =>
    `<input type="hidden" name="${escapeHtml(field)}" value="${escapeHtml(value)}">`;
  const form = `${loopbackWarning}
<form method="post">
${hidden(CONSENT_FIELDS.handle, handle)}
${hidden(CONSENT_FIELDS.csrf, csrfToken)}
${hidden(CONSENT_FIELDS.clientId, details.clientId)}
<p><button name="${CONSENT_FIELDS.decision}" value="${CONSENT_DECISIONS.approve}">Allow</button><button name="${CONSENT_FIELDS.decision}" value="${CONSENT_DECISIONS.deny}">Deny</button></p>
</form>`;
  return renderPage({
    title: `Allow ${name}?`,
    heading: `Allow ${name} to use the MCP server at ${serverHost}?`,
    paragraphs: [
      publisher,
      `If you allow it, you will sign in with Cloudflare Access and ${name} will act as you on this server. Its access is sent to ${details.redirectHost}.`,
      scopes,
    ],
    extraHtml: form,
  });
}
