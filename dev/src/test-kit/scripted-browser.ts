/**
 * A scripted browser for OAuth flows by fetch: keeps cookies per host, never follows redirects on
 * its own, and sends each request either to the Worker (e.g. through SELF or Miniflare) or to the
 * network. Runtime-neutral (Node and workerd).
 */
import { CookieJar } from "./cookie-jar";

export type FetchLike = (request: Request) => Promise<Response>;

/** Where requests go: the Worker's origin through `worker` (e.g. SELF.fetch), the rest through `other`. */
export interface FlowNetwork {
  workerOrigin: string;
  worker: FetchLike;
  other?: FetchLike;
}

/** Sends `request` to the Worker when it targets the Worker's origin, otherwise to the network. */
export function send(network: FlowNetwork, request: Request): Promise<Response> {
  const origin = new URL(request.url).origin;
  if (origin === network.workerOrigin) return network.worker(request);
  return (network.other ?? ((r: Request) => fetch(r)))(request);
}

/** Fetch Metadata of a navigation a person (or a native app on their behalf) starts in the browser. */
const NAVIGATION_FROM_OUTSIDE = {
  "Sec-Fetch-Site": "none",
  "Sec-Fetch-Mode": "navigate",
  "Sec-Fetch-Dest": "document",
  "Sec-Fetch-User": "?1",
} as const;

/** A browser that keeps cookies per host and never follows redirects on its own. */
export class ScriptedBrowser {
  readonly jar: CookieJar;

  constructor(
    readonly network: FlowNetwork,
    jar = new CookieJar(),
  ) {
    this.jar = jar;
  }

  /** One request with this browser's cookies; a POST carries `Origin`/`Sec-Fetch-Site` as a same-origin form post would. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(target);
    if (cookie !== undefined) headers.set("Cookie", cookie);
    if ((init.method ?? "GET") === "POST" && !headers.has("Origin")) headers.set("Origin", target.origin);
    if ((init.method ?? "GET") === "POST" && !headers.has("Sec-Fetch-Site")) headers.set("Sec-Fetch-Site", "same-origin");
    const response = await send(this.network, new Request(target.href, { ...init, headers, redirect: "manual" }));
    this.jar.store(target, response);
    return response;
  }

  /**
   * Opens `url` the way a native MCP client hands it to the system browser: a top-level,
   * user-activated navigation from no site (Fetch Metadata `Sec-Fetch-Site: none`, `Sec-Fetch-User: ?1`).
   */
  open(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(NAVIGATION_FROM_OUTSIDE)) if (!headers.has(name)) headers.set(name, value);
    return this.request(url, { ...init, headers });
  }

  /** GETs the `Location` of a redirect response (resolved against `from`). */
  async follow(response: Response, from: string | URL): Promise<{ url: URL; response: Response }> {
    const url = redirectTarget(response, from);
    await response.body?.cancel();
    return { url, response: await this.request(url) };
  }
}

/** The absolute `Location` of a 3xx response; throws on anything else. */
export function redirectTarget(response: Response, from: string | URL): URL {
  const location = response.headers.get("Location");
  if (response.status < 300 || response.status > 399 || !location) {
    throw new Error(`expected a redirect from ${String(from)}, got ${response.status}`);
  }
  return new URL(location, from);
}
