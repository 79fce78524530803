/**
 * A development OpenID Provider that plays Cloudflare Access for SaaS on 127.0.0.1, built on
 * oidc-provider: issuer `<origin>/cdn-cgi/access/sso/oidc/<client_id>` with `/authorization`,
 * `/token`, `/jwks` and discovery under it. For tests and `npm start`; never for production.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { accessOidcPath, accessOidcUrls, isValidEmail, type AccessOidcUrls } from "@mcpbox/shared";
import { devSubjectFor } from "./accounts";
import { newSigningKey, signRs256, type SigningKey } from "./keys";
import { DEV_IDP_CANCEL_FIELD, DEV_IDP_INTERACTION_SEGMENT, DEV_IDP_LOGIN_FIELD } from "./login-form";
import { createMemoryStore } from "./memory-store";
import { renderLoginPage } from "./login-page";
import { newCookieKey, providerConfiguration, type DevAccount } from "./provider-config";

export { devSubjectFor } from "./accounts";
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
}

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

  const accounts = new Map<string, DevAccount>();
  const cookieKeys = [newCookieKey()];
  const adapter = createMemoryStore();
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
        cookieKeys,
        findAccount: (accountId) => accounts.get(accountId),
        adapter,
      }),
    });
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
    const account = { accountId: await devSubjectFor(email), email };
    accounts.set(account.accountId, account);
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
