/**
 * What the Node-side test harness (`node/global-setup.ts`) hands to the workerd tests (`workerd/`)
 * through vitest's `provide`/`inject`: the running IdPs, the forging token proxy and the gateway
 * stand-in. Runtime-neutral types and constants only, so both sides import this file.
 */

/** The origin the tests address the Worker at; the IdPs list `<origin>/callback` as redirect URI. */
export const TEST_WORKER_ORIGIN = "https://mcpbox-proxy.test-account.workers.dev";

/** The service token configured for the Worker under test. */
export const TEST_SERVICE_TOKEN = "test-service-token-0123456789abcdef0123456789abcdef";

/** An origin added through CORS_ORIGINS in the test configuration. */
export const TEST_EXTRA_CORS_ORIGIN = "https://inspector.mcpbox.test";

export interface IdpInfo {
  clientId: string;
  clientSecret: string;
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
}

export interface HarnessInfo {
  /** The IdP the Worker under test is configured with. */
  idp: IdpInfo;
  /** A second IdP whose key the key-rotation test rotates. */
  rotationIdp: IdpInfo;
  /** An IdP whose refreshes neither rotate the refresh token nor carry an id_token. */
  plainIdp: IdpInfo;
  /** An IdP playing an Access app with refresh tokens off. */
  noRefreshIdp: IdpInfo;
  /**
   * Base URL of the harness server: `<base>/forge/<mode>` token endpoints, `<base>/control/...`
   * (the IdPs by name: `main`, `rotation`, `plain`, `no-refresh`).
   */
  harnessUrl: string;
  /** Base URL of the gateway stand-in (the MCPBOX_TUNNEL target); `<base>/__standin/...` for the tests. */
  standinUrl: string;
  /** Port of the gateway stand-in, for the service binding. */
  standinPort: number;
  /** An address on 127.0.0.1 where nothing listens (connection refused): an endpoint that is down. */
  unreachableUrl: string;
}

/** Ways the forging proxy rewrites the real IdP's id_token (`<harnessUrl>/forge/<mode>`). */
export const FORGE_MODES = [
  "passthrough",
  "alg-none",
  "hs256-public-key",
  "unknown-kid",
  "wrong-signature",
  "wrong-iss",
  "wrong-aud",
  "wrong-nonce",
  "missing-nonce",
  "expired",
  "nbf-future",
  "iat-future",
  "other-subject",
  "other-email",
] as const;
export type ForgeMode = (typeof FORGE_MODES)[number];

/** Forgeries only a refresh can catch: at sign-in any subject and email may arrive. */
export const REFRESH_ONLY_FORGE_MODES: readonly ForgeMode[] = ["other-subject", "other-email"];

/** Behaviours of the gateway stand-in, chosen with `?mode=` on the proxied URL. */
export type StandinMode = "json" | "sse" | "stream-echo" | "forbidden" | "unauthorized" | "redirect" | "hang" | "drop";

/** One request the gateway stand-in received. */
export interface StandinRecord {
  method: string;
  url: string;
  host: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}
