/**
 * The wizard's HTTP app: the guards every request passes (Host, then the launch-link session, then
 * same-origin and CSRF for anything that changes state), the security headers on every answer, the
 * two static assets, and the routes of the wizard, the status page, its grants panel and the event
 * stream.
 */
import { readFileSync } from "node:fs";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { RunBoard } from "./runs";
import { createOperations, type WizardSettings } from "./operations";
import { checkHost, checkSameOrigin, secretsEqual } from "./security/guard";
import { SECURITY_HEADERS } from "./security/headers";
import { CSRF_FIELD, LAUNCH_PARAM, SESSION_COOKIE, sessionCookie, SessionStore, type Session } from "./security/sessions";
import { documentOf } from "./views/layout";
import { RefusedPage } from "./views/intro";
import { eventRoutes } from "./routes/events";
import { grantsRoutes } from "./routes/grants-routes";
import { statusRoutes } from "./routes/status-routes";
import { wizardRoutes } from "./routes/wizard-routes";

export type WizardEnv = { Variables: { session: Session } };

export interface WizardAppOptions {
  settings: WizardSettings;
  /** The port the server listens on (the Host check needs it). */
  port: () => number;
  launchSecret: string;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  "wizard.css": { file: "wizard.css", type: "text/css; charset=utf-8" },
  "wizard.js": { file: "wizard.js", type: "text/javascript; charset=utf-8" },
};

/** The request bodies here are small forms; anything larger is refused before it is read. */
const MAX_FORM_BYTES = 64 * 1024;

export function createWizardApp(options: WizardAppOptions): Hono<WizardEnv> {
  const sessions = new SessionStore(options.launchSecret);
  const board = new RunBoard();
  const ops = createOperations(board, options.settings);
  const assets = new Map(Object.entries(ASSETS).map(([name, a]) => [name, { body: readFileSync(new URL(`./assets/${a.file}`, import.meta.url), "utf8"), type: a.type }]));
  const app = new Hono<WizardEnv>();

  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });

  app.use("*", async (c, next) => {
    const host = checkHost(c.req.header("host"), options.port());
    if (!host.ok) return c.text(`Refused: this wizard answers only at http://127.0.0.1:${options.port()} (${host.reason}).`, 403);
    await next();
  });

  app.get("/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (!asset) return c.text("Not found", 404);
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  });

  app.use("*", async (c, next) => {
    const launch = c.req.query(LAUNCH_PARAM);
    const existing = sessions.get(getCookie(c, SESSION_COOKIE));
    if (launch !== undefined) {
      const session = sessions.redeem(launch) ?? existing;
      if (!session) return c.html(documentOf(RefusedPage({ reason: "used-link" })), 403);
      // The secret leaves the address bar at once; from now on the cookie identifies the browser.
      // Always to "/": echoing the path would turn `//host/?launch=` into an open redirect.
      c.header("Set-Cookie", sessionCookie(session));
      return c.redirect("/", 303);
    }
    if (!existing) return c.html(documentOf(RefusedPage({ reason: "no-session" })), 401);
    c.set("session", existing);
    await next();
  });

  app.use("*", bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text("Refused: the form is too large.", 413) }));

  app.use("*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const origin = checkSameOrigin({ origin: c.req.header("origin"), secFetchSite: c.req.header("sec-fetch-site"), host: c.req.header("host") ?? "" });
    if (!origin.ok) return refuse(c, `this request did not come from the wizard's own page (${origin.reason})`);
    const body = await c.req.parseBody();
    const csrf = body[CSRF_FIELD];
    if (typeof csrf !== "string" || !secretsEqual(csrf, c.get("session").csrf)) return refuse(c, "the form's CSRF token is missing or belongs to another session");
    await next();
  });

  // Unknown failures: a generic page; the message (never a token: requests carry it in a header) goes to stderr.
  app.onError((error, c) => {
    process.stderr.write(`wizard: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${error.message}\n`);
    return c.text("Something went wrong on this page. Reload it; if it keeps failing, see the terminal where npm run wizard runs.", 500);
  });

  wizardRoutes(app, { board, ops, settings: options.settings });
  statusRoutes(app, { board, ops, settings: options.settings });
  grantsRoutes(app, ops);
  eventRoutes(app, board);
  return app;
}

function refuse(c: Context, reason: string): Response {
  return c.text(`Refused: ${reason}. Reload the wizard's page and try again.`, 403);
}
