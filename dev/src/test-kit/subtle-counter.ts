/**
 * Counts `crypto.subtle` calls by method, for measurements only (the bench probe and the worker
 * tests' per-call budget): each method of the one SubtleCrypto object is shadowed by an own
 * property that reports the call and forwards it unchanged. Runs in workerd.
 */

/** The `crypto.subtle` methods counted (timingSafeEqual is workerd's own). */
export const SUBTLE_METHODS = [
  "digest", "encrypt", "decrypt", "sign", "verify", "importKey", "exportKey",
  "generateKey", "deriveKey", "deriveBits", "wrapKey", "unwrapKey", "timingSafeEqual",
] as const;

type AnyMethod = (...args: unknown[]) => unknown;

/** Reports every `crypto.subtle` call to `onCall` until the returned function is called. */
export function countSubtleCalls(onCall: (method: string) => void): () => void {
  const subtle = crypto.subtle as unknown as Record<string, AnyMethod>;
  const shadowed: string[] = [];
  for (const method of SUBTLE_METHODS) {
    const original = subtle[method];
    if (typeof original !== "function" || Object.prototype.hasOwnProperty.call(subtle, method)) continue;
    Object.defineProperty(subtle, method, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        onCall(method);
        return original.apply(crypto.subtle, args);
      },
    });
    shadowed.push(method);
  }
  return () => {
    for (const method of shadowed) delete subtle[method];
  };
}
