/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * Remote Access before setup: what remote access does (the path in words), what is needed first
 * (an account, Zero Trust, a workers.dev subdomain, an API token with the permissions named as the
 * dashboard names them), and the Start Setup Wizard button.
 */
import type { Child } from "hono/jsx";
import { ALL_PERMISSIONS, API_TOKENS_URL } from "../../cloudflare/permissions";
import { Page } from "./layout";

export function IntroPage(props: { resumeAt: number | undefined; notice?: Child }) {
  return (
    <Page title="Remote Access">
      <h1>Remote Access</h1>
      {props.notice}
      <p class="lead">
        Use the MCP servers on this computer from anywhere — claude.ai, ChatGPT, Cursor and other MCP clients — without opening a port on
        your router and without making this computer reachable from the internet.
      </p>
      <section aria-labelledby="how">
        <h2 id="how">How it works</h2>
        <ol class="path">
          <li>
            An MCP client on the internet connects to your own small program on Cloudflare, the <strong>Worker</strong>, at an address like{" "}
            <code>https://mcpbox-proxy.your-name.workers.dev/mcp</code>.
          </li>
          <li>
            The Worker sends the person to sign in at <strong>Cloudflare Access</strong> and lets in only the people you allow.
          </li>
          <li>
            It passes their requests through a private <strong>Cloudflare Tunnel</strong>. The tunnel has no public address: only your
            Worker can use it.
          </li>
          <li>
            On this side, <strong>cloudflared</strong> opened the tunnel from the inside, so no port is open to the internet.
          </li>
          <li>
            The <strong>gateway</strong> next to your MCP server checks a secret that only your Worker knows and who signed in, then passes
            the request on.
          </li>
        </ol>
      </section>
      <section aria-labelledby="before">
        <h2 id="before">Before you start</h2>
        <ol class="prereqs">
          <li>
            A Cloudflare account. The free plan is enough: <a href="https://dash.cloudflare.com/sign-up">sign up at dash.cloudflare.com</a>.
          </li>
          <li>
            Zero Trust turned on for that account (free plan; you choose a team name once) at{" "}
            <a href="https://one.dash.cloudflare.com">one.dash.cloudflare.com</a>, with at least one login method (One-time PIN is the
            simplest).
          </li>
          <li>A workers.dev subdomain: open Workers &amp; Pages in the dashboard once and it offers you one.</li>
          <li>
            An API token for this wizard. Open <a href={API_TOKENS_URL}>your API tokens page</a>, choose <em>Create Token</em>, then{" "}
            <em>Create Custom Token</em>. Add one permission row for each line below (Account, then the group, then the level), pick your
            account under <em>Account Resources</em>, and create the token:
            <ul class="permissions">
              {ALL_PERMISSIONS.map((p) => (
                <li>{p}</li>
              ))}
            </ul>
            The wizard keeps the token in memory only while it runs; it is never saved.
          </li>
        </ol>
      </section>
      <p class="start">
        <a class="button primary" href="/wizard">
          {props.resumeAt ? `Continue Setup Wizard (step ${props.resumeAt} of 6)` : "Start Setup Wizard"}
        </a>
      </p>
    </Page>
  );
}

export function RefusedPage(props: { reason: "no-session" | "used-link" }) {
  return (
    <Page title="Open the wizard's link">
      <h1>Open this page through the wizard's link</h1>
      <p class="lead">
        {props.reason === "used-link"
          ? "This link was already used once, and this browser has no session with the wizard."
          : "This page shows and changes your Cloudflare setup, so it opens only through the one-time link the wizard printed when it started."}
      </p>
      <p>
        Look in the terminal where you ran <code>npm run wizard</code>: it printed a line starting with <code>http://127.0.0.1</code>. Open
        that link in this browser. If you lost it, stop the wizard with Ctrl-C and run <code>npm run wizard</code> again: it prints a new
        link.
      </p>
    </Page>
  );
}
