/**
 * `@mcpbox/dev/test-kit`: what tests and benchmarks use to drive the Worker as a client would, in
 * Node and in workerd alike (runtime-neutral: fetch and Web Crypto only, no `node:` imports). A
 * scripted browser with a cookie jar, the OAuth 2.1 flow step by step against the Worker and the
 * development IdP, the development IdP's name for a user (its `sub`), and a counter of
 * `crypto.subtle` calls. Node-only helpers live in `@mcpbox/dev/test-kit/node`.
 */
export { ScriptedBrowser, redirectTarget } from "./scripted-browser";
export type { FlowNetwork } from "./scripted-browser";
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
export type { FlowOptions, FlowResult, PreparedAuthorization } from "./oauth-flow";
export { devSubjectFor } from "../idp/accounts";
export { countSubtleCalls } from "./subtle-counter";
