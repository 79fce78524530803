/**
 * Vitest global setup for the worker project (runs in Node): starts the development IdPs (Access
 * apps with rotating refresh tokens, with plain ones, and without refresh tokens), the
 * harness server (forging token proxy, key rotation) and the gateway stand-in on 127.0.0.1, and
 * provides their addresses to the workerd tests and to the Miniflare bindings.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startDevIdp, type DevIdp } from "@mcpbox/dev/idp";
import { freePort } from "@mcpbox/dev/test-kit/node";
import { TEST_WORKER_ORIGIN, type HarnessInfo, type IdpInfo } from "../harness-info";
import { startHarnessServer } from "./forging-token-proxy";
import { startGatewayStandin } from "./gateway-standin";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redirectUris = [`${TEST_WORKER_ORIGIN}/callback`];
  const idpSecret = randomBytes(24).toString("hex");
  // id_tokens live a day: the re-check tests move the Worker's clock hours ahead of the IdP's.
  const idTokenTtlSeconds = 86_400;
  const idp = await startDevIdp({ clientId: "mcpbox-test-access", clientSecret: idpSecret, redirectUris, idTokenTtlSeconds });
  const rotationSecret = randomBytes(24).toString("hex");
  const rotationIdp = await startDevIdp({ clientId: "mcpbox-rotation-access", clientSecret: rotationSecret, redirectUris });
  const plainSecret = randomBytes(24).toString("hex");
  const plainIdp = await startDevIdp({ clientId: "mcpbox-plain-access", clientSecret: plainSecret, redirectUris, idTokenTtlSeconds, refreshTokens: { rotate: false, idTokenOnRefresh: false } });
  const noRefreshSecret = randomBytes(24).toString("hex");
  const noRefreshIdp = await startDevIdp({ clientId: "mcpbox-norefresh-access", clientSecret: noRefreshSecret, redirectUris, refreshTokens: false });
  const harness = await startHarnessServer(idp, { main: idp, rotation: rotationIdp, plain: plainIdp, "no-refresh": noRefreshIdp });
  const standin = await startGatewayStandin();

  const info: HarnessInfo = {
    idp: idpInfo(idp, "mcpbox-test-access", idpSecret),
    rotationIdp: idpInfo(rotationIdp, "mcpbox-rotation-access", rotationSecret),
    plainIdp: idpInfo(plainIdp, "mcpbox-plain-access", plainSecret),
    noRefreshIdp: idpInfo(noRefreshIdp, "mcpbox-norefresh-access", noRefreshSecret),
    harnessUrl: harness.url,
    standinUrl: standin.url,
    standinPort: standin.port,
    unreachableUrl: `http://127.0.0.1:${await freePort()}/token`,
  };
  project.provide("harness", info);

  return async () => {
    await Promise.all([standin.close(), harness.close(), idp.close(), rotationIdp.close(), plainIdp.close(), noRefreshIdp.close()]);
  };
}

function idpInfo(idp: DevIdp, clientId: string, clientSecret: string): IdpInfo {
  return { clientId, clientSecret, issuer: idp.issuer, authorizationUrl: idp.authorizationUrl, tokenUrl: idp.tokenUrl, jwksUrl: idp.jwksUrl };
}
