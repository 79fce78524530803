/**
 * MCPbox Remote Worker: wires the OAuth 2.1 provider from its parts (the /mcp proxy, the browser
 * routes for consent and the Cloudflare Access login) behind the path-allowlisting router.
 */
import { createRouter } from "./http/router";
import { createProviderCache } from "./oauth/provider";
import { createRefreshRecheck } from "./oauth/refresh-recheck";
import { JwksCache } from "./oidc/jwks-cache";
import { createMcpProxy } from "./proxy/mcp-proxy";
import { createBrowserRoutes } from "./routes/browser-routes";

const jwks = new JwksCache();
const nowSeconds = () => Math.floor(Date.now() / 1000);

const providerFor = createProviderCache({
  apiHandler: createMcpProxy(),
  defaultHandler: createBrowserRoutes({ jwks, nowSeconds }),
  tokenExchangeCallback: createRefreshRecheck({ jwks, nowSeconds }),
});

export default createRouter({ providerFor });
