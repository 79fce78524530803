/**
 * The Worker's own HTML: escaping, one page layout, and the headers every page carries
 * (no framing, no caching, no scripts, no third-party resources).
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** HTML built by the Worker from escaped parts (for `<bdi>` around untrusted names). */
export interface SafeHtml {
  readonly html: string;
}

/**
 * Untrusted text (a client's name) made safe to show: control and Unicode format characters
 * (category Cc/Cf, which includes the bidirectional overrides U+202A–202E and U+2066–2069) and line
 * separators removed, whitespace collapsed, at most `maxChars` characters.
 */
export function displayText(value: string, maxChars: number): string {
  const cleaned = value.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "").replace(/\s+/g, " ").trim();
  const chars = [...cleaned];
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join("")}…` : cleaned;
}

/** Untrusted text as an isolated run (`<bdi>`, HTML §4.5.24), so it cannot reorder the text around it. */
export function isolated(text: string): SafeHtml {
  return { html: `<bdi>${escapeHtml(text)}</bdi>` };
}

/** Joins plain text (escaped) and SafeHtml parts into one SafeHtml. */
export function html(...parts: ReadonlyArray<string | SafeHtml>): SafeHtml {
  return { html: parts.map((part) => (typeof part === "string" ? escapeHtml(part) : part.html)).join("") };
}

export interface PageContent {
  title: string;
  heading: string | SafeHtml;
  /** Paragraphs: plain text is escaped here; SafeHtml is inserted as built. */
  paragraphs: ReadonlyArray<string | SafeHtml>;
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
  const paragraphs = content.paragraphs.map((text) => `<p>${html(text).html}</p>`).join("\n");
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
<h1>${html(content.heading).html}</h1>
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
const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": pagePolicy([]),
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

/**
 * The pages' Content-Security-Policy. `formActions` lists where a form on the page may submit,
 * including where that submission redirects (CSP3 `form-action` applies to redirects): none by
 * default, `'self'` and the Access origin on the consent page.
 */
function pagePolicy(formActions: readonly string[]): string {
  const formAction = formActions.length > 0 ? formActions.join(" ") : "'none'";
  return `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

/** An HTML response with the page security headers; `extra` may add more (cookies, Location). */
export function htmlResponse(body: string, status: number, extra: HeadersInit = {}, options: { formActions?: readonly string[] } = {}): Response {
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) headers.set(name, value);
  if (options.formActions) headers.set("Content-Security-Policy", pagePolicy(options.formActions));
  return new Response(body, { status, headers });
}
