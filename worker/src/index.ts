/**
 * MCPbox Remote Worker: wires the OAuth 2.1 provider from its parts (the /mcp proxy, the browser
 * routes for consent and the Cloudflare Access login) behind the path-allowlisting router, with
 * the library's outbound fetches guarded (no redirects for client metadata documents).
 */
import { createRouter } from "./http/router";
import { installLibraryFetchGuard } from "./oauth/cimd-fetch-guard";
import { createProviderCache } from "./oauth/provider";
import { JwksCache } from "./oidc/jwks-cache";
import { createMcpProxy } from "./proxy/mcp-proxy";
import { createBrowserRoutes } from "./routes/browser-routes";

installLibraryFetchGuard();

const nowSeconds = () => Math.floor(Date.now() / 1000);

const providerFor = createProviderCache({
  apiHandler: createMcpProxy(),
  defaultHandler: createBrowserRoutes({ jwks: new JwksCache(), nowSeconds }),
});

export default createRouter({ providerFor, nowSeconds });
