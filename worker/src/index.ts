/**
 * MCPbox Remote Worker: the production wiring (wiring.ts) on the real clock, with the library's
 * outbound fetches guarded (no redirects for client metadata documents).
 */
import { installLibraryFetchGuard } from "./oauth/cimd-fetch-guard";
import { createWorker } from "./wiring";

installLibraryFetchGuard();

export default createWorker(() => Math.floor(Date.now() / 1000));
