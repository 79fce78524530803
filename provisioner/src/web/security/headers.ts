/**
 * Response headers for every answer of the wizard: a strict Content-Security-Policy (own scripts
 * and styles only, no inline script, no third-party origin, not frameable), the legacy frame
 * guard, no referrer, no caching of pages that show state, no MIME sniffing.
 */

/** CSP Level 3; `frame-ancestors 'none'` (§7.7) and X-Frame-Options (RFC 7034) stop clickjacking. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
