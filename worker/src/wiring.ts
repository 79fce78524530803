/**
 * The Worker as production runs it, built from its parts for a given clock: the /mcp proxy, the
 * browser routes for consent and the Cloudflare Access login, the refresh re-check, all behind
 * the path-allowlisting router. Tests build it with a shifted clock to see what a window allows.
 */
import { createRouter } from "./http/router";
import { createProviderCache } from "./oauth/provider";
import { createRefreshRecheck } from "./oauth/refresh-recheck";
import { JwksCache } from "./oidc/jwks-cache";
import { createMcpProxy } from "./proxy/mcp-proxy";
import { createBrowserRoutes } from "./routes/browser-routes";

/** Builds the Worker's fetch handler; `nowSeconds` is the clock of every security decision. */
export function createWorker(nowSeconds: () => number): ReturnType<typeof createRouter> {
  const jwks = new JwksCache();
  const providerFor = createProviderCache({
    apiHandler: createMcpProxy(),
    defaultHandler: createBrowserRoutes({ jwks, nowSeconds }),
    tokenExchangeCallback: createRefreshRecheck({ jwks, nowSeconds }),
  });
  return createRouter({ providerFor, nowSeconds });
}
