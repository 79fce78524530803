/**
 * The OAuth library's `defaultHandler`: the two routes a person's browser visits, /authorize
 * (consent) and /callback (back from Cloudflare Access). Failures are rendered as pages.
 */
import { WORKER_PATHS } from "@mcpbox/shared";
import { WorkerError, errorResponse, logWorkerError } from "../http/errors";
import { configOf, oauthHelpersOf, type ProviderEnv } from "../oauth/request-context";
import { decideConsent, showConsent } from "./authorize";
import { finishLogin, type CallbackDeps } from "./callback";

/** The handler; the router has already restricted paths and methods. */
export function createBrowserRoutes(deps: CallbackDeps) {
  return {
    async fetch(request: Request, env: ProviderEnv): Promise<Response> {
      try {
        const config = configOf(env);
        const oauth = oauthHelpersOf(env);
        const { pathname } = new URL(request.url);
        if (pathname === WORKER_PATHS.authorize) {
          const now = deps.nowSeconds();
          return request.method === "POST" ? await decideConsent(request, oauth, config, now) : await showConsent(request, oauth, config, now);
        }
        if (pathname === WORKER_PATHS.callback) return await finishLogin(request, oauth, config, deps);
        throw new WorkerError("not_found", "There is nothing at this address.");
      } catch (error) {
        if (error instanceof WorkerError) logWorkerError(error);
        return errorResponse(error, "html");
      }
    },
  };
}
