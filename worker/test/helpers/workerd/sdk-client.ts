/**
 * The MCP TypeScript SDK's own client, pointed at the Worker: an in-memory OAuthClientProvider and
 * a fetch that routes the Worker's origin through SELF. The SDK does its own discovery, resource
 * selection and checks, which is what real clients (mcp-remote, Cursor, Inspector) run.
 */
import { SELF } from "cloudflare:test";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { ORIGIN, fromAddress, nextClientAddress } from "./worker-harness";

/** Sends the Worker's origin to SELF and everything else to the network, as the SDK's `fetch` option. */
export function sdkFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  return new URL(request.url).origin === ORIGIN ? SELF.fetch(fromAddress(request, nextClientAddress())) : fetch(request);
}

/** Keeps everything the SDK asks it to keep, and records the authorization URL it is sent to. */
export class MemoryOAuthClientProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = "";

  constructor(readonly redirectUrl: string) {}

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "MCP SDK client", redirect_uris: [this.redirectUrl], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] };
  }

  clientInformation() {
    return this.#client;
  }

  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
  }

  tokens() {
    return this.#tokens;
  }

  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }

  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }

  codeVerifier() {
    return this.#verifier;
  }
}
