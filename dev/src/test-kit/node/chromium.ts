/**
 * A real headless Chromium (Debian's `chromium`, driven by playwright-core) for the browser part
 * of the flow: the Worker's consent page and the development IdP's login page. Also a stand-in
 * for an MCP client's loopback redirect URI that reports the code it receives.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEV_IDP_LOGIN_FIELD } from "../../idp/login-form";

/** Where Debian (and the CI script) installs Chromium. */
const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/oauth/callback` (or the path given). */
  url: string;
  /** Resolves with the query of the next request to the callback. */
  next(): Promise<URLSearchParams>;
  close(): Promise<void>;
}

/**
 * An MCP client's loopback redirect URI: answers a small page and hands the query to the test.
 * `pathname` is the client's callback path (`/oauth/callback` for mcp-remote and Inspector).
 */
export async function startLoopbackRedirect(pathname = "/oauth/callback"): Promise<LoopbackRedirect> {
  const waiting: ((query: URLSearchParams) => void)[] = [];
  const arrived: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== pathname) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end("<!doctype html><title>Signed in</title><p>Signed in; you can close this window.</p>");
    const resolve = waiting.shift();
    if (resolve) resolve(url.searchParams);
    else arrived.push(url.searchParams);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${pathname}`,
    next: () => {
      const ready = arrived.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** On the development IdP's login page: types the email and submits; resolves once the IdP redirected away. */
export async function signInAtDevIdp(page: Page, email: string): Promise<void> {
  const idpOrigin = new URL(page.url()).origin;
  await page.fill(`input[name="${DEV_IDP_LOGIN_FIELD}"]`, email);
  await Promise.all([page.waitForURL((url) => url.origin !== idpOrigin), page.click(`form:has(input[name="${DEV_IDP_LOGIN_FIELD}"]) button[type="submit"]`)]);
}
