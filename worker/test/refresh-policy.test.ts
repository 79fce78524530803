/**
 * The pure refresh rules with the time injected: the maximum age and its last minute, the
 * re-check interval at its boundary (and 0 = every refresh), ALLOWED_EMAILS, the idle window
 * capped by the maximum age, the first refresh lifetime, and who counts as the same user.
 */
import { describe, expect, it } from "vitest";
import { AUTH_METHOD_OIDC, parseEmailAllowlist } from "@mcpbox/shared";
import type { GrantLifetimes } from "../src/oauth/grant-lifetimes";
import type { GrantProps } from "../src/oauth/grant-props";
import { decideRefresh, initialRefreshLifetime, sameUser } from "../src/oauth/refresh-policy";

const T0 = 1_800_000_000;
const lifetimes: GrantLifetimes = {
  refreshTokenTtlSeconds: 7 * 86_400,
  refreshTokenIdleSeconds: 7 * 86_400,
  grantMaxAgeSeconds: 30 * 86_400,
  accessRecheckSeconds: 3600,
};
const anyone = parseEmailAllowlist(undefined);
const props: GrantProps = {
  sub: "user-1",
  email: "ada@example.com",
  authMethod: AUTH_METHOD_OIDC,
  accessSession: { signedInAt: T0, checkedAt: T0, nonce: "n", sealedRefreshToken: "v1.x.y" },
};

describe("decideRefresh", () => {
  it("re-checks at Access once ACCESS_RECHECK_SECONDS have passed since the last confirmation, not before", () => {
    expect(decideRefresh(props, lifetimes, anyone, T0 + 3599)).toMatchObject({ kind: "proceed", recheck: false });
    expect(decideRefresh(props, lifetimes, anyone, T0 + 3600)).toMatchObject({ kind: "proceed", recheck: true });
    const confirmedLater = { ...props, accessSession: { ...props.accessSession, checkedAt: T0 + 3600 } };
    expect(decideRefresh(confirmedLater, lifetimes, anyone, T0 + 3601)).toMatchObject({ recheck: false });
  });

  it("re-checks on every refresh with ACCESS_RECHECK_SECONDS=0, and when the last check lies in the future", () => {
    expect(decideRefresh(props, { ...lifetimes, accessRecheckSeconds: 0 }, anyone, T0)).toMatchObject({ recheck: true });
    const future = { ...props, accessSession: { ...props.accessSession, checkedAt: T0 + 100 } };
    expect(decideRefresh(future, lifetimes, anyone, T0)).toMatchObject({ recheck: true });
  });

  it("refuses once less than a minute of the maximum age is left", () => {
    const end = T0 + lifetimes.grantMaxAgeSeconds;
    expect(decideRefresh(props, lifetimes, anyone, end - 60)).toMatchObject({ kind: "proceed", idleSeconds: 60 });
    expect(decideRefresh(props, lifetimes, anyone, end - 59)).toEqual({ kind: "refuse", reason: "max_age_reached" });
  });

  it("keeps the idle window inside the maximum age", () => {
    expect(decideRefresh(props, lifetimes, anyone, T0 + 86_400)).toMatchObject({ idleSeconds: 7 * 86_400 });
    expect(decideRefresh(props, lifetimes, anyone, T0 + 29 * 86_400)).toMatchObject({ idleSeconds: 86_400 });
  });

  it("applies ALLOWED_EMAILS as configured now", () => {
    expect(decideRefresh(props, lifetimes, parseEmailAllowlist("*@example.com"), T0)).toMatchObject({ kind: "proceed" });
    expect(decideRefresh(props, lifetimes, parseEmailAllowlist("bob@example.com"), T0)).toEqual({
      kind: "refuse",
      reason: "email_not_allowed",
    });
    const { email: _none, ...noEmail } = props;
    expect(decideRefresh(noEmail, lifetimes, parseEmailAllowlist("bob@example.com"), T0)).toEqual({
      kind: "refuse",
      reason: "email_missing",
    });
    expect(decideRefresh(noEmail, lifetimes, anyone, T0)).toMatchObject({ kind: "proceed" });
  });
});

describe("initialRefreshLifetime", () => {
  it("is REFRESH_TOKEN_TTL_SECONDS, within the maximum age, and never below the library's minimum", () => {
    expect(initialRefreshLifetime(props, lifetimes, T0 + 5)).toBe(7 * 86_400);
    expect(initialRefreshLifetime(props, { ...lifetimes, grantMaxAgeSeconds: 3600 }, T0 + 600)).toBe(3000);
    expect(initialRefreshLifetime(props, { ...lifetimes, grantMaxAgeSeconds: 300 }, T0 + 290)).toBe(60);
  });
});

describe("sameUser", () => {
  it("needs the same subject; an email, when the refreshed token has one, must be the grant's", () => {
    expect(sameUser(props, { sub: "user-1", authMethod: AUTH_METHOD_OIDC })).toBe(true);
    expect(sameUser(props, { sub: "user-1", email: "ADA@example.com", authMethod: AUTH_METHOD_OIDC })).toBe(true);
    expect(sameUser(props, { sub: "user-2", email: "ada@example.com", authMethod: AUTH_METHOD_OIDC })).toBe(false);
    expect(sameUser(props, { sub: "user-1", email: "eve@example.com", authMethod: AUTH_METHOD_OIDC })).toBe(false);
    const { email: _none, ...noEmail } = props;
    expect(sameUser(noEmail, { sub: "user-1", email: "eve@example.com", authMethod: AUTH_METHOD_OIDC })).toBe(false);
  });
});
