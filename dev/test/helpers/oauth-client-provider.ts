/**
 * An OAuthClientProvider for the MCP SDK's client, as an MCP app implements it: it keeps the
 * registration, tokens and PKCE verifier in memory, and records every authorization URL it is
 * asked to open so the test can play the person at the browser.
 */
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

export class TestOAuthClientProvider implements OAuthClientProvider {
  /** Every URL the SDK asked to open, oldest first. */
  readonly authorizationUrls: URL[] = [];
  /** Every token set the SDK saved, oldest first, with when it was saved. */
  readonly savedTokens: { tokens: OAuthTokens; savedAt: number }[] = [];
  #client: OAuthClientInformationMixed | undefined;
  #verifier: string | undefined;

  constructor(
    readonly redirectUrl: string,
    readonly clientName = "MCPbox e2e SDK client",
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.#client = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.savedTokens.at(-1)?.tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens.push({ tokens, savedAt: Date.now() });
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrls.push(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }

  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error("no PKCE verifier saved");
    return this.#verifier;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "tokens") this.savedTokens.length = 0;
    if (scope === "all" || scope === "client") this.#client = undefined;
    if (scope === "all" || scope === "verifier") this.#verifier = undefined;
  }
}

export interface RecordedExchange {
  method: string;
  /** Path of the request (no query). */
  path: string;
  status: number;
  /** For form posts: the `grant_type`, so token requests can be told apart. */
  grantType?: string;
}

/** A fetch that records what an MCP client sends and what it gets back (method, path, status). */
export function recordingFetch(log: RecordedExchange[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    let grantType: string | undefined;
    if ((request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      grantType = new URLSearchParams(await request.clone().text()).get("grant_type") ?? undefined;
    }
    const response = await fetch(request);
    log.push({ method: request.method, path: new URL(request.url).pathname, status: response.status, ...(grantType ? { grantType } : {}) });
    return response;
  };
}
