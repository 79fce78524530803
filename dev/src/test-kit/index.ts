/**
 * `@mcpbox/dev/test-kit`: what tests and benchmarks use to drive the Worker as a client would, in
 * Node and in workerd alike (runtime-neutral: fetch and Web Crypto only, no `node:` imports). A
 * scripted browser with a cookie jar, the OAuth 2.1 flow step by step against the Worker and the
 * development IdP, the development IdP's names for users and its login form, and a counter of
 * `crypto.subtle` calls. Node-only helpers live in `@mcpbox/dev/test-kit/node`.
 */
export { CookieJar } from "./cookie-jar";
export { ScriptedBrowser, redirectTarget, send } from "./scripted-browser";
export type { FetchLike, FlowNetwork } from "./scripted-browser";
export {
  approveAuthorization,
  authorizationUrl,
  consentFormFields,
  exchangeCode,
  finishAtCallback,
  loginAtDevIdp,
  newPkce,
  postForm,
  prepareAuthorization,
  registerClient,
  runAuthorizationCodeFlow,
  submitConsent,
} from "./oauth-flow";
export type {
  AuthorizationParams,
  ConsentForm,
  Discovery,
  FlowOptions,
  FlowResult,
  PkcePair,
  PreparedAuthorization,
  RegisteredClient,
  TokenResponse,
} from "./oauth-flow";
export { devSubjectFor } from "../idp/accounts";
export { DEV_IDP_BANNER, DEV_IDP_CANCEL_FIELD, DEV_IDP_INTERACTION_SEGMENT, DEV_IDP_LOGIN_FIELD } from "../idp/login-form";
export { SUBTLE_METHODS, countSubtleCalls } from "./subtle-counter";
