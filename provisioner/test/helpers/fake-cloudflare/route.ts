/**
 * What a route handler sees and returns. Paths are matched under /client/v4; `:a` is the account.
 */
import type { HandlerResult } from "./envelope";
import type { FakeAccount, FakeToken, PermissionGroup, PermissionLevel } from "./model";

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  token: FakeToken;
  /** The account named in the path (already checked against the token). */
  account: FakeAccount;
  params: Record<string, string>;
  contentType: string;
  body: Buffer;
  /** The body as a JSON object; a 400 when it is not one. */
  json(): Record<string, unknown>;
  formData(): Promise<FormData>;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Named groups become params; `a` is the account id. */
  pattern: RegExp;
  /** The permission the endpoint needs: any of the groups, at this level; absent for token and account endpoints. */
  permission?: [readonly PermissionGroup[], PermissionLevel];
  /** Route that needs no account in the path. */
  global?: boolean;
  handle(req: FakeRequest): HandlerResult | Promise<HandlerResult>;
}

/** Builds a path pattern: `/accounts/:a/cfd_tunnel/:id` → RegExp with named groups. */
export function path(template: string): RegExp {
  const source = template.replace(/:([a-zA-Z]+)/g, (_m, name: string) => `(?<${name}>[^/]+)`);
  return new RegExp(`^${source}$`);
}
