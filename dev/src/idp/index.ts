/**
 * A development OpenID Provider that plays Cloudflare Access for SaaS on 127.0.0.1, built on
 * oidc-provider: issuer `<origin>/cdn-cgi/access/sso/oidc/<client_id>` with `/authorization`,
 * `/token`, `/jwks` and discovery under it, refresh tokens as an app with `refresh_tokens` issues
 * them, and the operator's moves (remove a user from the policy, end sessions) as methods.
 * For tests and `npm start`; never for production.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { accessOidcPath, accessOidcUrls, isValidEmail, type AccessOidcUrls } from "@mcpbox/shared";
import { devSubjectFor } from "./accounts";
import { newSigningKey, signRs256, type SigningKey } from "./keys";
import { DEV_IDP_CANCEL_FIELD, DEV_IDP_INTERACTION_SEGMENT, DEV_IDP_LOGIN_FIELD } from "./login-form";
import { createMemoryStore } from "./memory-store";
import { renderErrorPage, renderLoginPage } from "./login-page";
import { newCookieKey, providerConfiguration, type DevAccount, type DevRefreshTokenSettings } from "./provider-config";

export { devSubjectFor } from "./accounts";
export { newSigningKey, signRs256 } from "./keys";
export { DEV_IDP_BANNER, DEV_IDP_CANCEL_FIELD, DEV_IDP_INTERACTION_SEGMENT, DEV_IDP_LOGIN_FIELD } from "./login-form";

export interface DevIdpOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs of the one client (the Worker's `/callback`). */
  redirectUris: readonly string[];
  /** How the client authenticates at `/token`; Access accepts the secret in the form body. */
  tokenEndpointAuthMethod?: "client_secret_post" | "client_secret_basic";
  /** Lifetime of issued id_tokens, seconds (default 600). */
  idTokenTtlSeconds?: number;
  /**
   * Refresh tokens as Access issues them when the app's `grant_types` include `refresh_tokens`
   * (on by default: 12 h lifetime, rotated, a new id_token with each refresh); `false` models an
   * app without them. Fields left out take the defaults.
   */
  refreshTokens?: Partial<DevRefreshTokenSettings> | false;
  /** Access's session duration in seconds (default 24 h); refresh tokens end with the session. */
  sessionTtlSeconds?: number;
  /** Keeps sessions, grants, refresh tokens and accounts in this file (0600) across restarts. */
  storeFile?: string;
}

/** Access's defaults as the provisioner configures the app (ACCESS_REFRESH_TOKEN_LIFETIME, 12 h). */
const DEV_REFRESH_TOKEN_DEFAULTS: DevRefreshTokenSettings = { lifetimeSeconds: 12 * 3600, rotate: true, idTokenOnRefresh: true };
const DEFAULT_SESSION_TTL_SECONDS = 24 * 3600;
const ACCOUNT_MODEL = "DevAccount";

export interface DevIdp extends AccessOidcUrls {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  port: number;
  /** `kid` of the key that signs id_tokens now. */
  readonly currentKid: string;
  /** Switches signing to a new key with a new `kid` (the previous key stays published); returns the new kid. */
  rotateKey(): string;
  /**
   * Replaces the client's exact redirect URIs (e.g. once the Worker's port is known). Sessions,
   * keys and pending logins are kept; only later authorization requests see the new list.
   */
  setRedirectUris(uris: readonly string[]): void;
  /**
   * The operator removes `email` from the application's policy: its later sign-ins are refused
   * and every refresh of its tokens fails with invalid_grant.
   */
  removeAccount(email: string): Promise<void>;
  /** The operator revokes `email`'s sessions: refresh tokens bound to them stop working. */
  endSessions(email: string): Promise<number>;
  /** Test hook: signs a JWT with the current private key (forged claims, valid signature). */
  signJwt(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Starts the IdP and resolves once it listens. */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const urls = accessOidcUrls(origin, options.clientId);
  const mountPath = accessOidcPath(options.clientId);

  const store = createMemoryStore(options.storeFile ? { file: options.storeFile } : {});
  const accounts = store.adapter(ACCOUNT_MODEL);
  const removed = new Set<string>();
  const cookieKeys = [newCookieKey()];
  const refreshTokens = options.refreshTokens === false ? undefined : { ...DEV_REFRESH_TOKEN_DEFAULTS, ...options.refreshTokens };
  let keys: SigningKey[] = [newSigningKey()];
  let redirectUris: readonly string[] = [...options.redirectUris];
  const build = () => {
    const provider = new Provider(urls.issuer, {
      ...providerConfiguration({
        mountPath,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUris,
        tokenEndpointAuthMethod: options.tokenEndpointAuthMethod ?? "client_secret_post",
        keys,
        idTokenTtlSeconds: options.idTokenTtlSeconds ?? 600,
        sessionTtlSeconds: options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
        refreshTokens,
        cookieKeys,
        findAccount: async (accountId) => {
          const found = await accounts.find(accountId);
          return typeof found?.email === "string" ? { accountId, email: found.email } : undefined;
        },
        adapter: (model) => store.adapter(model),
      }),
    });
    if (refreshTokens) provider.use(trimRefreshAnswers(refreshTokens));
    return { provider, handler: provider.callback() };
  };
  let current = build();

  server.on("request", (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("dev IdP: request failed:", error instanceof Error ? error.message : error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("development IdP error");
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname.startsWith(`${mountPath}${DEV_IDP_INTERACTION_SEGMENT}`)) return interaction(req, res, url);
    if (url.pathname === mountPath || url.pathname.startsWith(`${mountPath}/`)) {
      // Mount oidc-provider under the issuer path, as a framework's `app.use(path, …)` would.
      Object.assign(req, { originalUrl: req.url });
      req.url = (req.url ?? "/").slice(mountPath.length) || "/";
      await current.handler(req, res);
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  }

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const { provider } = current;
    const details = await provider.interactionDetails(req, res);
    const clientId = String(details.params.client_id ?? "");
    if (req.method === "GET") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(renderLoginPage({ action: url.pathname, clientId }));
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { Allow: "GET, POST" }).end();
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.has(DEV_IDP_CANCEL_FIELD)) {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The user cancelled the sign-in." },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const email = (form.get(DEV_IDP_LOGIN_FIELD) ?? "").trim();
    if (!isValidEmail(email)) {
      res.writeHead(400, { "Content-Type": "text/html; charset=utf-8" });
      res.end(renderLoginPage({ action: url.pathname, clientId, error: "Enter a valid email address." }));
      return;
    }
    if (removed.has(email.toLowerCase())) {
      // What Access does for a user outside the policy: its own refusal page, no redirect back.
      res.writeHead(403, { "Content-Type": "text/html; charset=utf-8" });
      res.end(renderErrorPage({ error: "access_denied", error_description: `${email} is not allowed by this application's policy.` }));
      return;
    }
    const account: DevAccount = { accountId: await devSubjectFor(email), email };
    await accounts.upsert(account.accountId, { email }, 0);
    await provider.interactionFinished(req, res, { login: { accountId: account.accountId } }, { mergeWithLastSubmission: false });
  }

  return {
    ...urls,
    origin,
    port,
    get currentKid() {
      return (keys[0] as SigningKey).kid;
    },
    rotateKey() {
      keys = [newSigningKey(), keys[0] as SigningKey];
      current = build();
      return (keys[0] as SigningKey).kid;
    },
    setRedirectUris(uris) {
      redirectUris = [...uris];
      current = build();
    },
    async removeAccount(email) {
      removed.add(email.toLowerCase());
      await accounts.destroy(await devSubjectFor(email));
    },
    async endSessions(email) {
      const accountId = await devSubjectFor(email);
      return store.removeWhere("Session", (payload) => payload.accountId === accountId);
    },
    signJwt(payload, header = {}) {
      const key = keys[0] as SigningKey;
      return signRs256(key, { alg: "RS256", typ: "JWT", kid: key.kid, ...header }, payload);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Shapes refresh answers the ways RFC 6749 §6 and OIDC Core §12.2 allow: without an id_token
 * unless the app sends one, and without a refresh token when it does not rotate them (oidc-provider
 * would repeat the unchanged one; an app may as well leave it out).
 */
function trimRefreshAnswers(settings: DevRefreshTokenSettings): Parameters<Provider["use"]>[0] {
  return async (ctx, next) => {
    await next();
    const body: unknown = ctx.body;
    if (ctx.oidc?.route !== "token" || ctx.oidc.params?.grant_type !== "refresh_token" || typeof body !== "object" || body === null) return;
    const answer = body as Record<string, unknown>;
    if (!settings.idTokenOnRefresh) delete answer.id_token;
    if (!settings.rotate) delete answer.refresh_token;
  };
}

const MAX_FORM_BYTES = 16 * 1024;

async function readBody(req: http.IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new Error("login form too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
