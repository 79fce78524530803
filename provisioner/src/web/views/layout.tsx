/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * The page frame every screen shares: head (own stylesheet and script only), skip link, header,
 * and the small parts reused across screens (CSRF field, notices, copyable values). Every value is
 * rendered through JSX, which escapes it; nothing here writes raw HTML.
 */
import type { Child } from "hono/jsx";
import { CSRF_FIELD } from "../security/sessions";

export function Page(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · MCPbox Remote Access`}</title>
        <link rel="stylesheet" href="/assets/wizard.css" />
        <script src="/assets/wizard.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <a href="/" class="brand">
            MCPbox <span>Remote Access</span>
          </a>
          <span class="local">Runs on this computer only (127.0.0.1)</span>
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Renders a page as a full HTML document. */
export function documentOf(page: unknown): string {
  return `<!doctype html>${String(page)}`;
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** A value with a button that copies it (the button needs the script; the value stays selectable). */
export function Copyable(props: { id: string; value: string; label: string; block?: boolean }) {
  return (
    <div class={props.block ? "copyable block" : "copyable"}>
      {props.block ? (
        <pre id={props.id} tabindex={0} aria-label={props.label}>
          {props.value}
        </pre>
      ) : (
        <code id={props.id}>{props.value}</code>
      )}
      <button type="button" class="copy secondary" data-copy={props.id}>
        {`Copy ${props.label}`}
      </button>
    </div>
  );
}

export function Notice(props: { kind: "ok" | "info" | "warn"; title: string; children?: Child }) {
  return (
    <section class={`notice ${props.kind}`} role="status">
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A one-button form that posts to `action` with the CSRF token. */
export function ActionButton(props: {
  action: string;
  csrf: string;
  label: string;
  kind?: "primary" | "secondary" | "danger";
  hidden?: Record<string, string>;
}) {
  return (
    <form method="post" action={props.action} class="inline">
      <Csrf token={props.csrf} />
      {Object.entries(props.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.kind ?? "primary"}>
        {props.label}
      </button>
    </form>
  );
}
