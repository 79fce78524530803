/**
 * A stand-in for the Cloudflare edge in front of deployed Workers: answers requests to
 * `<script>.<subdomain>.workers.dev` for scripts with workers.dev enabled, like the MCPbox Worker
 * would (/health ok; /mcp 401 with resource_metadata once its secrets are set, else 503).
 * Any other URL goes to the real network stack (the local gateway in doctor tests).
 */
import { WORKER_SECRET_NAMES } from "@mcpbox/shared";
import type { FakeAccount } from "./model";

export function createEdgeFetch(accounts: () => Iterable<FakeAccount>, passthrough: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.workers\.dev$/.exec(url.hostname);
    if (!match) return passthrough(input, init);
    const [, scriptName, subdomain] = match;
    for (const account of accounts()) {
      if (account.workersSubdomain !== subdomain) continue;
      const script = account.scripts.get(scriptName ?? "");
      if (!script || !script.workersDev) break;
      if (script.edgeWarmup > 0) {
        script.edgeWarmup -= 1;
        return new Response("There is nothing here yet", { status: 404 });
      }
      if (url.pathname === "/health") return Response.json({ status: "ok" });
      if (url.pathname === "/mcp" || url.pathname === "/") {
        const missing = WORKER_SECRET_NAMES.filter((n) => !script.secrets.has(n));
        if (missing.length > 0) return Response.json({ error: "server_error" }, { status: 503 });
        return new Response(JSON.stringify({ error: "invalid_token" }), {
          status: 401,
          headers: {
            "content-type": "application/json",
            "www-authenticate": `Bearer resource_metadata="${url.origin}/.well-known/oauth-protected-resource/mcp"`,
          },
        });
      }
      return Response.json({ error: "not_found" }, { status: 404 });
    }
    throw new TypeError("fetch failed", {
      cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: "ENOTFOUND" }),
    });
  }) as typeof fetch;
}
