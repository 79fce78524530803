/**
 * What one authorized /mcp call costs the Worker in workerd, counted on the real OAuth library:
 * one KV read (the token's record, read on every call, so a revocation takes effect at the next
 * call) and the library's six `crypto.subtle` operations to check the token and decrypt the
 * grant's props. Our own code adds none; a change that adds KV or crypto work to every call
 * fails here. The full-path benchmark reports the same counts (docs/benchmarks.md).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countSubtleCalls } from "@mcpbox/dev/test-kit";
import { CountingKv } from "./helpers/workerd/counting-kv";
import { callWorker, envWith, login, mcpPost, mcpUrl, newProbe } from "./helpers/workerd/worker-harness";

describe("an authorized /mcp call", () => {
  it("reads KV once and runs only the OAuth library's token check in crypto.subtle", async () => {
    const flow = await login();
    const kv = new CountingKv(env.OAUTH_KV);
    const testEnv = envWith({ OAUTH_KV: kv.binding() });
    const subtle: Record<string, number> = {};
    const restore = countSubtleCalls((method) => (subtle[method] = (subtle[method] ?? 0) + 1));
    let status: number;
    try {
      const response = await callWorker(mcpPost(mcpUrl(newProbe()), flow.tokens.access_token), testEnv);
      status = response.status;
      await response.arrayBuffer();
    } finally {
      restore();
    }
    expect(status).toBe(200);
    expect(kv.snapshot()).toEqual({ reads: 1, writes: 0, deletes: 0, lists: 0 });
    // SHA-256 of the token (its KV key); HMAC of the token into an AES-KW key (importKey ×2, sign);
    // unwrapping the grant's key; decrypting its props.
    expect(subtle).toEqual({ digest: 1, importKey: 2, sign: 1, unwrapKey: 1, decrypt: 1 });
  });
});
