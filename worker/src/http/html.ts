/**
 * The Worker's own HTML: escaping, one page layout, and the headers every page carries
 * (no framing, no caching, no scripts, no third-party resources).
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export interface PageContent {
  title: string;
  heading: string;
  /** Plain-text paragraphs; escaped here. */
  paragraphs: readonly string[];
  /** Already-escaped HTML inserted after the paragraphs (forms). */
  extraHtml?: string;
  link?: { href: string; text: string };
}

const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}" +
  "h1{font-size:1.4rem}code,.box{background:#f3f3f3;border-radius:4px}.box{padding:.75rem 1rem}" +
  ".warn{background:#fff4d6;padding:.75rem 1rem;border-radius:4px}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}";

/** A complete HTML document; every dynamic string is escaped. */
export function renderPage(content: PageContent): string {
  const paragraphs = content.paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join("\n");
  const link = content.link
    ? `<p><a href="${escapeHtml(content.link.href)}">${escapeHtml(content.link.text)}</a></p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(content.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(content.heading)}</h1>
${paragraphs}
${content.extraHtml ?? ""}
${link}
</body>
</html>`;
}

/**
 * Headers for every page: not frameable (clickjacking on the consent form), not cached,
 * no scripts or outside resources. Referrer-Policy stays `same-origin` so that form posts
 * still carry a real `Origin` header (`no-referrer` would turn it into `null`).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

/** An HTML response with the page security headers; `extra` may add more (cookies, Location). */
export function htmlResponse(html: string, status: number, extra: HeadersInit = {}): Response {
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) headers.set(name, value);
  return new Response(html, { status, headers });
}
