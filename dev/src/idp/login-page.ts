/**
 * HTML of the development IdP: the email-only login page and its error page, both clearly
 * marked as a development stand-in for Cloudflare Access.
 */
import { DEV_IDP_BANNER, DEV_IDP_CANCEL_FIELD, DEV_IDP_LOGIN_FIELD } from "./login-form";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}" +
  ".dev{background:#ffe3e3;border:2px solid #c92a2a;color:#862e2e;padding:.75rem 1rem;border-radius:4px;font-weight:600}" +
  "input,button{font-size:1rem;padding:.4rem .6rem}";

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)} (development only)</title><style>${STYLE}</style></head>
<body>
<p class="dev" role="alert">${escapeHtml(DEV_IDP_BANNER)} No password is checked; any email signs in.</p>
${body}
</body>
</html>`;
}

/** The login page: asks for an email address and posts it back to `action`. */
export function renderLoginPage(input: { action: string; clientId: string; error?: string }): string {
  const error = input.error ? `<p><strong>${escapeHtml(input.error)}</strong></p>` : "";
  return layout(
    "Sign in",
    `<h1>Sign in to the development identity provider</h1>
<p>Application: <code>${escapeHtml(input.clientId)}</code></p>
${error}
<form method="post" action="${escapeHtml(input.action)}">
<label>Email address <input type="email" name="${DEV_IDP_LOGIN_FIELD}" required autofocus></label>
<button type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(input.action)}"><button type="submit" name="${DEV_IDP_CANCEL_FIELD}" value="1">Cancel</button></form>`,
  );
}

/** The page for protocol errors the IdP shows instead of redirecting. */
export function renderErrorPage(fields: object): string {
  const rows = Object.entries(fields)
    .map(([key, value]) => `<li><strong>${escapeHtml(key)}</strong>: ${escapeHtml(String(value))}</li>`)
    .join("");
  return layout("Error", `<h1>Sign-in error</h1><ul>${rows}</ul>`);
}
