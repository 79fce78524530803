/**
 * What a grant carries beyond the identity: when the user signed in at Cloudflare Access, when
 * Access last confirmed them, and Access's refresh token (sealed). These live only in the grant's
 * props; access tokens carry the identity alone, because they reach the /mcp handler on every call.
 */
import { parseAuthProps, type AuthProps } from "./props";
import { sealSecret } from "./sealed-secret";

/** The Access side of a grant. Times are seconds since the epoch. */
export interface AccessSession {
  /** When the user signed in at Access (the start of the grant's maximum age). */
  signedInAt: number;
  /** When Access last confirmed the user: the sign-in, or the last successful refresh there. */
  checkedAt: number;
  /** The sign-in's nonce: a refreshed id_token that carries a nonce must carry this one (OIDC Core §12.2). */
  nonce: string;
  /** Access's refresh token, sealed (sealed-secret.ts); absent when Access issued none. */
  sealedRefreshToken?: string;
}

/** A grant's props: the identity every token carries, plus the Access session. */
export interface GrantProps extends AuthProps {
  accessSession: AccessSession;
}

/** The props a new grant gets at /callback, with Access's refresh token sealed when there is one. */
export async function grantPropsAtSignIn(
  identity: AuthProps,
  input: { nowSeconds: number; nonce: string; accessRefreshToken: string | undefined; cookieKey: Uint8Array },
): Promise<GrantProps> {
  const accessSession: AccessSession = { signedInAt: input.nowSeconds, checkedAt: input.nowSeconds, nonce: input.nonce };
  if (input.accessRefreshToken !== undefined) {
    accessSession.sealedRefreshToken = await sealSecret(input.cookieKey, identity.sub, input.accessRefreshToken);
  }
  return { ...identity, accessSession };
}

/** Validates a grant's props; undefined for props without an Access session (grants made before it existed). */
export function parseGrantProps(value: unknown): GrantProps | undefined {
  const identity = parseAuthProps(value);
  if (!identity) return undefined;
  const session = (value as { accessSession?: unknown }).accessSession;
  if (typeof session !== "object" || session === null) return undefined;
  const { signedInAt, checkedAt, nonce, sealedRefreshToken } = session as Record<string, unknown>;
  if (!isTime(signedInAt) || !isTime(checkedAt) || typeof nonce !== "string") return undefined;
  if (sealedRefreshToken !== undefined && typeof sealedRefreshToken !== "string") return undefined;
  return {
    ...identity,
    accessSession: { signedInAt, checkedAt, nonce, ...(sealedRefreshToken !== undefined ? { sealedRefreshToken } : {}) },
  };
}

/** The props an access token carries: the identity, without the Access session. */
export function accessTokenProps(props: GrantProps): AuthProps {
  const { accessSession: _session, ...identity } = props;
  return identity;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
