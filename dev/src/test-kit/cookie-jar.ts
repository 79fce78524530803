/**
 * A minimal cookie jar for scripted browsers (RFC 6265 §5.3–5.4 subset): host-only cookies,
 * path matching, deletion by Max-Age/Expires. Runtime-neutral: works in Node and in workerd.
 */

interface StoredCookie {
  value: string;
  path: string;
}

/** Cookies by host, then by name and path. */
export class CookieJar {
  readonly #hosts = new Map<string, Map<string, StoredCookie>>();

  /** Records every `Set-Cookie` of `response`, received for `url`. */
  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.storeLine(url, line);
  }

  /** The `Cookie` header to send to `url`, or undefined when none apply. */
  header(url: URL): string | undefined {
    const cookies = this.#hosts.get(url.host);
    if (!cookies) return undefined;
    const pairs: string[] = [];
    for (const [key, cookie] of cookies) {
      if (pathMatches(url.pathname, cookie.path)) pairs.push(`${key.slice(0, key.indexOf("\u0000"))}=${cookie.value}`);
    }
    return pairs.length > 0 ? pairs.join("; ") : undefined;
  }

  /** Names of the cookies held for a host (for assertions). */
  names(host: string): string[] {
    return [...(this.#hosts.get(host)?.keys() ?? [])].map((key) => key.slice(0, key.indexOf("\u0000")));
  }

  private storeLine(url: URL, line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = defaultPath(url.pathname);
    let expired = false;
    for (const attribute of attributes) {
      const [rawKey = "", ...rest] = attribute.split("=");
      const key = rawKey.trim().toLowerCase();
      const attrValue = rest.join("=").trim();
      if (key === "path" && attrValue.startsWith("/")) path = attrValue;
      if (key === "max-age" && Number(attrValue) <= 0) expired = true;
      if (key === "expires" && Date.parse(attrValue) <= Date.now()) expired = true;
    }
    let cookies = this.#hosts.get(url.host);
    if (!cookies) {
      cookies = new Map();
      this.#hosts.set(url.host, cookies);
    }
    const key = `${name}\u0000${path}`;
    if (expired) cookies.delete(key);
    else cookies.set(key, { value, path });
  }
}

function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf("/");
  return slash <= 0 ? "/" : pathname.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}
