/**
 * Keys the consent step derives from COOKIE_ENCRYPTION_KEY: HMAC keys for consent-form CSRF
 * tokens, for the consent transaction cookie and for the remembered-approvals cookie. Separate
 * labels keep the uses apart, so a value signed for one is refused by another.
 */
import { derivedHmacKey } from "../http/derived-keys";

export interface ConsentKeys {
  /** Signs consent-form CSRF tokens. */
  csrfKey: CryptoKey;
  /** Signs the short-lived consent transaction cookie. */
  transactionKey: CryptoKey;
  /** Signs the `__Host-` remembered-approvals cookie. */
  approvalsKey: CryptoKey;
}

/** The consent keys for the 32-byte cookie key. */
export async function consentKeys(cookieKey: Uint8Array): Promise<ConsentKeys> {
  const [csrfKey, transactionKey, approvalsKey] = await Promise.all([
    derivedHmacKey(cookieKey, "mcpbox consent csrf v1"),
    derivedHmacKey(cookieKey, "mcpbox consent transaction v1"),
    derivedHmacKey(cookieKey, "mcpbox consent approvals v1"),
  ]);
  return { csrfKey, transactionKey, approvalsKey };
}
