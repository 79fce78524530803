/**
 * The development IdP's login form contract, runtime-neutral so scripted clients (Node or workerd)
 * can sign in without a browser: POST the email to the interaction URL the IdP redirected to.
 */

/** Name of the form field that carries the email address. */
export const DEV_IDP_LOGIN_FIELD = "email" as const;

/** Posting this field (any value) instead of an email declines the sign-in: the IdP answers `access_denied`. */
export const DEV_IDP_CANCEL_FIELD = "cancel" as const;

/** Path segment under the issuer where login interactions live: `<issuer>/interaction/<uid>`. */
export const DEV_IDP_INTERACTION_SEGMENT = "/interaction/" as const;

/** Text every IdP page carries, so nobody mistakes it for a real sign-in. */
export const DEV_IDP_BANNER = "Development only: this is not Cloudflare Access." as const;
