import { describe, expect, it } from "vitest";
import { accessOidcUrls, issuerFromAuthorizationUrl } from "../src/access-oidc";
import { parseOriginList } from "../src/cors";

describe("Access for SaaS OIDC URLs", () => {
  it("uses /authorization (not /authorize) and the base as issuer", () => {
    const urls = accessOidcUrls("https://team.cloudflareaccess.com/", "abc123");
    expect(urls).toEqual({
      issuer: "https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123",
      authorizationUrl: "https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123/authorization",
      tokenUrl: "https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123/token",
      jwksUrl: "https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123/jwks",
      discoveryUrl: "https://team.cloudflareaccess.com/cdn-cgi/access/sso/oidc/abc123/.well-known/openid-configuration",
    });
    expect(issuerFromAuthorizationUrl(urls.authorizationUrl)).toBe(urls.issuer);
  });
});

describe("parseOriginList", () => {
  it("normalises entries to origins and rejects garbage", () => {
    expect(parseOriginList(" https://app.example.com/path , http://localhost:6274 ")).toEqual([
      "https://app.example.com",
      "http://localhost:6274",
    ]);
    expect(parseOriginList(undefined)).toEqual([]);
    expect(() => parseOriginList("not a url")).toThrow(/not an origin/);
  });
});
