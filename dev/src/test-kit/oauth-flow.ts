/**
 * A scripted MCP client and browser for the Worker's OAuth flow, by fetch only: discovery from the
 * 401, registration, consent, the development IdP's login form, callback, code exchange, refresh
 * and revocation. Runtime-neutral (Node and workerd), so tests, benchmarks and the local stack share it.
 */
import { DEV_IDP_CANCEL_FIELD, DEV_IDP_LOGIN_FIELD } from "../idp/login-form";
import { ScriptedBrowser, redirectTarget, send, type FlowNetwork } from "./scripted-browser";

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** A PKCE S256 pair (RFC 7636). */
export async function newPkce(): Promise<PkcePair> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

export interface Discovery {
  /** The `resource_metadata` URL from the 401 challenge. */
  resourceMetadataUrl: string;
  /** The protected resource metadata document. */
  resourceMetadata: { resource: string; authorization_servers: string[] } & Record<string, unknown>;
  /** The authorization server metadata (RFC 8414). */
  authorizationServer: {
    issuer: string;
    authorization_endpoint: string;
    token_endpoint: string;
    registration_endpoint?: string;
    revocation_endpoint?: string;
  } & Record<string, unknown>;
}

/** MCP discovery as a client does it: an unauthenticated call, then the documents it points to. */
async function discover(network: FlowNetwork, mcpUrl: string): Promise<Discovery> {
  const challenge = await send(network, new Request(mcpUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }));
  await challenge.body?.cancel();
  const header = challenge.headers.get("WWW-Authenticate") ?? "";
  const match = /resource_metadata="([^"]+)"/.exec(header);
  if (challenge.status !== 401 || !match?.[1]) throw new Error(`expected a 401 with resource_metadata from ${mcpUrl}, got ${challenge.status}`);
  const resourceMetadataUrl = match[1];
  const resourceMetadata = (await getJson(network, resourceMetadataUrl)) as Discovery["resourceMetadata"];
  const issuer = resourceMetadata.authorization_servers[0];
  if (!issuer) throw new Error("protected resource metadata names no authorization server");
  const authorizationServer = (await getJson(network, `${issuer.replace(/\/$/, "")}/.well-known/oauth-authorization-server`)) as Discovery["authorizationServer"];
  return { resourceMetadataUrl, resourceMetadata, authorizationServer };
}

export interface RegisteredClient {
  client_id: string;
  redirect_uris: string[];
  client_name?: string;
  token_endpoint_auth_method?: string;
}

/** Dynamic client registration (RFC 7591) of a public client; throws unless it answers 201. */
export async function registerClient(
  network: FlowNetwork,
  registrationEndpoint: string,
  metadata: { redirect_uris: string[]; client_name?: string } & Record<string, unknown>,
): Promise<RegisteredClient> {
  const response = await send(
    network,
    new Request(registrationEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], ...metadata }),
    }),
  );
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegisteredClient;
}

export interface AuthorizationParams {
  clientId: string;
  redirectUri: string;
  pkce: PkcePair;
  state: string;
  resource?: string;
  scope?: string;
}

/** The authorization request URL a client opens in the browser. */
export function authorizationUrl(endpoint: string, params: AuthorizationParams): string {
  const url = new URL(endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", params.clientId);
  url.searchParams.set("redirect_uri", params.redirectUri);
  url.searchParams.set("state", params.state);
  url.searchParams.set("code_challenge", params.pkce.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (params.resource !== undefined) url.searchParams.set("resource", params.resource);
  if (params.scope !== undefined) url.searchParams.set("scope", params.scope);
  return url.href;
}

/** The hidden fields of the Worker's consent form. */
export type ConsentForm = Record<string, string>;

/** Reads the hidden inputs of a consent page (the values are HTML-escaped in the page). */
export function consentFormFields(html: string): ConsentForm {
  const fields: ConsentForm = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[unescapeHtml(match[1] ?? "")] = unescapeHtml(match[2] ?? "");
  }
  return fields;
}

/** Posts the consent form with a decision; returns the Worker's answer (a redirect when accepted). */
export function submitConsent(browser: ScriptedBrowser, authorizeUrl: string, form: ConsentForm, decision: "approve" | "deny", init: RequestInit = {}): Promise<Response> {
  const body = new URLSearchParams({ ...form, decision });
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/x-www-form-urlencoded");
  return browser.request(new URL(authorizeUrl).origin + new URL(authorizeUrl).pathname, { ...init, method: "POST", headers, body: body.toString() });
}

/**
 * Signs in at the development IdP: opens its authorization URL, posts the email to the login
 * form, and follows the IdP's redirects until it sends the browser back elsewhere. Returns that
 * redirect (normally to the Worker's /callback).
 */
export async function loginAtDevIdp(
  browser: ScriptedBrowser,
  idpAuthorizationUrl: string,
  email: string,
  options: { cancel?: boolean } = {},
): Promise<URL> {
  const idpOrigin = new URL(idpAuthorizationUrl).origin;
  let url = new URL(idpAuthorizationUrl);
  let response = await browser.request(url);
  for (let hop = 0; hop < 10; hop++) {
    if (response.status === 200) {
      await response.body?.cancel();
      response = await browser.request(url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(options.cancel ? { [DEV_IDP_CANCEL_FIELD]: "1" } : { [DEV_IDP_LOGIN_FIELD]: email }).toString(),
      });
    }
    const next = redirectTarget(response, url);
    await response.body?.cancel();
    if (next.origin !== idpOrigin) return next;
    url = next;
    response = await browser.request(url);
  }
  throw new Error("the development IdP redirected too many times");
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  resource?: string;
}

/** POSTs a form to the token (or revocation) endpoint; returns status and parsed JSON body. */
export async function postForm(network: FlowNetwork, endpoint: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await send(
    network,
    new Request(endpoint, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export interface FlowOptions {
  /** The URL the MCP client connects to (`https://<worker>/mcp` or `https://<worker>/`). */
  mcpUrl: string;
  email: string;
  redirectUri?: string;
  clientName?: string;
  /** The `resource` to send; defaults to the protected resource metadata's `resource`. */
  resource?: string;
  browser?: ScriptedBrowser;
  /** An already registered client to reuse. */
  client?: RegisteredClient;
}

export interface FlowResult {
  discovery: Discovery;
  client: RegisteredClient;
  browser: ScriptedBrowser;
  tokens: TokenResponse;
  /** Whether the consent page was shown (false when this browser had approved the client before). */
  consentShown: boolean;
  /** The final redirect to the client: `code`, `state`, `iss`. */
  clientRedirect: URL;
}

export interface PreparedAuthorization {
  discovery: Discovery;
  client: RegisteredClient;
  browser: ScriptedBrowser;
  redirectUri: string;
  resource: string;
  pkce: PkcePair;
  state: string;
  /** The authorization request URL to open in the browser. */
  authorizeUrl: string;
}

/** Discovery, registration (unless a client is given) and a fresh authorization request. */
export async function prepareAuthorization(network: FlowNetwork, options: Omit<FlowOptions, "email">): Promise<PreparedAuthorization> {
  const discovery = await discover(network, options.mcpUrl);
  const redirectUri = options.redirectUri ?? options.client?.redirect_uris[0] ?? "http://127.0.0.1:33418/oauth/callback";
  const registration = discovery.authorizationServer.registration_endpoint;
  if (!options.client && !registration) throw new Error("authorization server offers no registration endpoint");
  const client =
    options.client ??
    (await registerClient(network, registration as string, { redirect_uris: [redirectUri], client_name: options.clientName ?? "Scripted MCP client" }));
  const browser = options.browser ?? new ScriptedBrowser(network);
  const pkce = await newPkce();
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const resource = options.resource ?? discovery.resourceMetadata.resource;
  const authorizeUrl = authorizationUrl(discovery.authorizationServer.authorization_endpoint, { clientId: client.client_id, redirectUri, pkce, state, resource });
  return { discovery, client, browser, redirectUri, resource, pkce, state, authorizeUrl };
}

/**
 * Opens the authorization URL and approves the consent page when it is shown. Returns the
 * Worker's redirect to the IdP and whether consent was asked.
 */
export async function approveAuthorization(prepared: PreparedAuthorization): Promise<{ idpUrl: URL; consentShown: boolean }> {
  let response = await prepared.browser.open(prepared.authorizeUrl);
  const consentShown = response.status === 200;
  if (consentShown) {
    const form = consentFormFields(await response.text());
    response = await submitConsent(prepared.browser, prepared.authorizeUrl, form, "approve");
  }
  const idpUrl = redirectTarget(response, prepared.authorizeUrl);
  await response.body?.cancel();
  return { idpUrl, consentShown };
}

/** Opens the Worker's /callback URL and reads the code from its redirect to the client. */
export async function finishAtCallback(prepared: PreparedAuthorization, callbackUrl: URL): Promise<{ clientRedirect: URL; code: string }> {
  const final = await prepared.browser.request(callbackUrl);
  const clientRedirect = redirectTarget(final, callbackUrl);
  await final.body?.cancel();
  if (clientRedirect.searchParams.get("state") !== prepared.state) throw new Error("state did not round-trip");
  const code = clientRedirect.searchParams.get("code");
  if (!code) throw new Error(`no code in the client redirect: ${clientRedirect.search}`);
  return { clientRedirect, code };
}

/** The code exchange at the token endpoint with the prepared PKCE verifier. */
export function exchangeCode(network: FlowNetwork, prepared: PreparedAuthorization, code: string, verifier = prepared.pkce.verifier): Promise<{ status: number; body: Record<string, unknown> }> {
  return postForm(network, prepared.discovery.authorizationServer.token_endpoint, {
    grant_type: "authorization_code",
    code,
    redirect_uri: prepared.redirectUri,
    client_id: prepared.client.client_id,
    code_verifier: verifier,
    resource: prepared.resource,
  });
}

/** The whole authorization code flow, as an MCP client plus a person at a browser would run it. */
export async function runAuthorizationCodeFlow(network: FlowNetwork, options: FlowOptions): Promise<FlowResult> {
  const prepared = await prepareAuthorization(network, options);
  const { idpUrl, consentShown } = await approveAuthorization(prepared);
  const callback = await loginAtDevIdp(prepared.browser, idpUrl.href, options.email);
  const { clientRedirect, code } = await finishAtCallback(prepared, callback);
  const exchanged = await exchangeCode(network, prepared, code);
  if (exchanged.status !== 200) throw new Error(`code exchange failed: ${exchanged.status} ${JSON.stringify(exchanged.body)}`);
  const { discovery, client, browser } = prepared;
  return { discovery, client, browser, tokens: exchanged.body as unknown as TokenResponse, consentShown, clientRedirect };
}

async function getJson(network: FlowNetwork, url: string): Promise<unknown> {
  const response = await send(network, new Request(url, { headers: { Accept: "application/json" } }));
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unescapeHtml(value: string): string {
  return value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, "&");
}
