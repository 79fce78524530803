/**
 * Cloudflare Access signing keys (the JWKS at ACCESS_JWKS_URL), cached per isolate. A `kid` the
 * cache does not know triggers one refetch at once, so a key rotation works on the next login;
 * further unknown-kid refetches wait REFETCH_INTERVAL_SECONDS so bad tokens cannot hammer Access.
 */
import type { JWK } from "jose";

/** How long a fetched key set is used before it is fetched again. */
const JWKS_CACHE_TTL_SECONDS = 600;
/** Minimum spacing of refetches caused by an unknown `kid`. */
const JWKS_REFETCH_INTERVAL_SECONDS = 30;
const JWKS_MAX_BYTES = 64 * 1024;
const JWKS_FETCH_TIMEOUT_MS = 10_000;

/** The JWKS endpoint could not be read; `reason` is for the log. */
export class JwksFetchError extends Error {
  constructor(readonly reason: string) {
    super(`JWKS fetch failed: ${reason}`);
    this.name = "JwksFetchError";
  }
}

export type JwksLoader = (url: string) => Promise<ReadonlyMap<string, JWK>>;

interface Entry {
  keys: ReadonlyMap<string, JWK>;
  fetchedAt: number;
  /** When an unknown `kid` last caused a refetch (seconds), if ever. */
  refetchedAt?: number;
}

export interface JwksCacheOptions {
  load?: JwksLoader;
  ttlSeconds?: number;
  refetchIntervalSeconds?: number;
}

/** Key sets by JWKS URL. Time is passed in, so the refetch rules are testable without waiting. */
export class JwksCache {
  readonly #load: JwksLoader;
  readonly #ttl: number;
  readonly #interval: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<ReadonlyMap<string, JWK>>>();

  constructor(options: JwksCacheOptions = {}) {
    this.#load = options.load ?? fetchJwks;
    this.#ttl = options.ttlSeconds ?? JWKS_CACHE_TTL_SECONDS;
    this.#interval = options.refetchIntervalSeconds ?? JWKS_REFETCH_INTERVAL_SECONDS;
  }

  /**
   * The keys to verify a token whose header names `kid`: from the cache while fresh; fetched when
   * absent or stale; refetched once when `kid` is unknown, unless an unknown `kid` already caused a
   * refetch within the interval. Throws JwksFetchError when the endpoint cannot be read.
   */
  async keysFor(url: string, kid: string | undefined, nowSeconds: number): Promise<ReadonlyMap<string, JWK>> {
    const entry = this.#entries.get(url);
    if (!entry || nowSeconds - entry.fetchedAt >= this.#ttl) {
      return (await this.#refresh(url, nowSeconds, entry?.refetchedAt)).keys;
    }
    if (kid === undefined || entry.keys.has(kid)) return entry.keys;
    if (entry.refetchedAt !== undefined && nowSeconds - entry.refetchedAt < this.#interval) return entry.keys;
    return (await this.#refresh(url, nowSeconds, nowSeconds)).keys;
  }

  async #refresh(url: string, nowSeconds: number, refetchedAt: number | undefined): Promise<Entry> {
    let pending = this.#inFlight.get(url);
    if (!pending) {
      pending = this.#load(url).finally(() => this.#inFlight.delete(url));
      this.#inFlight.set(url, pending);
    }
    const keys = await pending;
    const entry: Entry = { keys, fetchedAt: nowSeconds, ...(refetchedAt !== undefined ? { refetchedAt } : {}) };
    this.#entries.set(url, entry);
    return entry;
  }
}

/** Fetches a JWKS document and keeps the RSA signing keys that carry a `kid` (RFC 7517 §5). */
export async function fetchJwks(url: string): Promise<ReadonlyMap<string, JWK>> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw new JwksFetchError(error instanceof Error ? error.name : "network error");
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new JwksFetchError(`HTTP ${response.status}`);
  }
  const text = await response.text();
  if (text.length > JWKS_MAX_BYTES) throw new JwksFetchError("document too large");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new JwksFetchError("not JSON");
  }
  const list = typeof document === "object" && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new JwksFetchError("no keys array");
  const keys = new Map<string, JWK>();
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const jwk = item as Record<string, unknown>;
    if (jwk.kty !== "RSA" || typeof jwk.kid !== "string" || typeof jwk.n !== "string" || typeof jwk.e !== "string") continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    keys.set(jwk.kid, { kty: "RSA", kid: jwk.kid, n: jwk.n, e: jwk.e, ...(typeof jwk.alg === "string" ? { alg: jwk.alg } : {}) });
  }
  return keys;
}
