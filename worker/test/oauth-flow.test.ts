/**
 * The whole flow by fetch, as an MCP client and a person at a browser run it: 401 → metadata →
 * registration → consent → Cloudflare Access login (the development IdP) → callback → token →
 * /mcp reaching the gateway stand-in; refresh; revocation. Clients connecting to /mcp and to /.
 */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AUTH_METHOD_OIDC, MCPBOX_HEADERS } from "@mcpbox/shared";
import { devSubjectFor, approveAuthorization, postForm, prepareAuthorization } from "@mcpbox/dev/test-kit";
import { TEST_SERVICE_TOKEN } from "./helpers/harness-info";
import { ORIGIN, harness, login, mcpPost, mcpUrl, newProbe, selfNetwork, standinRecords, uniqueEmail } from "./helpers/workerd/worker-harness";

describe("discovery", () => {
  it("answers unauthenticated calls to /mcp and / with 401 and a resource_metadata challenge", async () => {
    for (const path of ["/mcp", "/"]) {
      const probe = newProbe();
      const response = await SELF.fetch(mcpPost(mcpUrl(probe, { path }), undefined));
      expect(response.status).toBe(401);
      // RFC 9728 §5.1: the document for the URL the client connected to.
      const document = path === "/mcp" ? "/.well-known/oauth-protected-resource/mcp" : "/.well-known/oauth-protected-resource";
      expect(response.headers.get("WWW-Authenticate")).toContain(`resource_metadata="${ORIGIN}${document}"`);
      expect(await standinRecords(probe)).toEqual([]);
    }
  });

  it("publishes protected resource metadata at the root and /mcp paths, each naming the URL it describes", async () => {
    const root = (await (await SELF.fetch(`${ORIGIN}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(root).toMatchObject({ resource: `${ORIGIN}/`, authorization_servers: [ORIGIN], bearer_methods_supported: ["header"] });
    const mcp = (await (await SELF.fetch(`${ORIGIN}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(mcp).toMatchObject({ resource: `${ORIGIN}/mcp`, authorization_servers: [ORIGIN] });
  });

  it("publishes RFC 8414 metadata: S256 only, iss in responses, registration, revocation, CIMD", async () => {
    const metadata = (await (await SELF.fetch(`${ORIGIN}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/token`,
      registration_endpoint: `${ORIGIN}/register`,
      revocation_endpoint: `${ORIGIN}/revoke`,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    });
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
    // Registration does not offer private_key_jwt, so the metadata does not advertise it.
    expect(metadata.token_endpoint_auth_methods_supported).not.toContain("private_key_jwt");
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toBeUndefined();
  });
});

describe("a client connecting to /mcp", () => {
  it("signs in and reaches the gateway with the verified identity and the service token", async () => {
    const email = uniqueEmail("alice");
    const flow = await login({ mcpUrl: `${ORIGIN}/mcp`, email });
    expect(flow.discovery.resourceMetadata.resource).toBe(`${ORIGIN}/mcp`);
    expect(flow.consentShown).toBe(true);
    expect(flow.clientRedirect.searchParams.get("iss")).toBe(ORIGIN);
    expect(flow.tokens.token_type.toLowerCase()).toBe("bearer");
    expect(flow.tokens.refresh_token).toBeTruthy();

    const probe = newProbe();
    const response = await SELF.fetch(mcpPost(mcpUrl(probe), flow.tokens.access_token));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "gateway-standin" } } });

    const [record, ...rest] = await standinRecords(probe);
    expect(rest).toEqual([]);
    expect(record).toBeDefined();
    expect(record?.host).toBe("mcp-gateway:8002");
    expect(record?.url).toBe(`/mcp?probe=${probe}`);
    expect(record?.headers["x-mcpbox-service-token"]).toBe(TEST_SERVICE_TOKEN);
    expect(record?.headers["x-mcpbox-user-email"]).toBe(email);
    expect(record?.headers["x-mcpbox-auth-method"]).toBe(AUTH_METHOD_OIDC);
    expect(record?.headers[MCPBOX_HEADERS.clientId.toLowerCase()]).toBe(flow.client.client_id);
    expect(record?.headers.authorization).toBeUndefined();
    expect(JSON.parse(record?.body ?? "{}")).toMatchObject({ method: "initialize" });

    // The grant belongs to the id_token's subject (the library's userId).
    const grants = await env.OAUTH_KV.list({ prefix: `grant:${encodeURIComponent(await devSubjectFor(email))}:` });
    expect(grants.keys).toHaveLength(1);
  });

  it("is sent to Cloudflare Access with state, a nonce, PKCE S256 and the openid email profile offline_access scopes", async () => {
    const prepared = await prepareAuthorization(selfNetwork(), { mcpUrl: `${ORIGIN}/mcp` });
    const { idpUrl } = await approveAuthorization(prepared);
    expect(idpUrl.origin + idpUrl.pathname).toBe(harness().idp.authorizationUrl);
    const params = Object.fromEntries(idpUrl.searchParams);
    expect(params).toMatchObject({
      response_type: "code",
      client_id: harness().idp.clientId,
      redirect_uri: `${ORIGIN}/callback`,
      scope: "openid email profile offline_access",
      code_challenge_method: "S256",
    });
    expect(params.state).toMatch(/^[\w-]{43}$/);
    expect(params.nonce).toMatch(/^[\w-]{43}$/);
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(params.state).not.toBe(prepared.state);
  });
});

describe("a client connecting to the base URL /", () => {
  it("signs in with the root metadata and gets 200 at / (and at /mcp with the same token)", async () => {
    const flow = await login({ mcpUrl: `${ORIGIN}/` });
    expect(flow.discovery.resourceMetadataUrl).toBe(`${ORIGIN}/.well-known/oauth-protected-resource`);
    for (const path of ["/", "/mcp"]) {
      const probe = newProbe();
      const response = await SELF.fetch(mcpPost(mcpUrl(probe, { path }), flow.tokens.access_token));
      expect(response.status).toBe(200);
      expect(await standinRecords(probe)).toHaveLength(1);
    }
  });
});

describe("a client that names the /mcp URL as its resource", () => {
  it("completes the flow (RFC 8707 mapping to the canonical resource) and gets 200 at /mcp", async () => {
    const flow = await login({ mcpUrl: `${ORIGIN}/mcp`, resource: `${ORIGIN}/mcp` });
    expect(flow.tokens.resource).toBe(`${ORIGIN}/`);
    const probe = newProbe();
    const response = await SELF.fetch(mcpPost(mcpUrl(probe), flow.tokens.access_token));
    expect(response.status).toBe(200);
  });
});

describe("token lifecycle", () => {
  it("rotates refresh tokens: the new access token works and a used refresh token stops working", async () => {
    const flow = await login();
    const tokenEndpoint = flow.discovery.authorizationServer.token_endpoint;
    const first = await postForm(selfNetwork(), tokenEndpoint, {
      grant_type: "refresh_token",
      refresh_token: flow.tokens.refresh_token ?? "",
      client_id: flow.client.client_id,
    });
    expect(first.status).toBe(200);
    const rotated = first.body as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(flow.tokens.refresh_token);

    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(probe), rotated.access_token))).status).toBe(200);
    const second = await postForm(selfNetwork(), tokenEndpoint, {
      grant_type: "refresh_token",
      refresh_token: rotated.refresh_token,
      client_id: flow.client.client_id,
    });
    expect(second.status).toBe(200);
    const replay = await postForm(selfNetwork(), tokenEndpoint, {
      grant_type: "refresh_token",
      refresh_token: flow.tokens.refresh_token ?? "",
      client_id: flow.client.client_id,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
  });

  it("revocation at /revoke makes the access token answer 401 and nothing more reaches the gateway", async () => {
    const flow = await login();
    const before = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(before), flow.tokens.access_token))).status).toBe(200);

    const revoked = await postForm(selfNetwork(), `${ORIGIN}/revoke`, { token: flow.tokens.access_token, client_id: flow.client.client_id });
    expect(revoked.status).toBe(200);

    const after = newProbe();
    const response = await SELF.fetch(mcpPost(mcpUrl(after), flow.tokens.access_token));
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain('resource_metadata="');
    expect(await standinRecords(after)).toEqual([]);
  });
});

describe("consent", () => {
  it("is remembered per browser and client: the same client skips the page, another client is asked", async () => {
    const first = await login();
    expect(first.consentShown).toBe(true);
    const again = await login({ browser: first.browser, client: first.client });
    expect(again.consentShown).toBe(false);
    const otherClient = await login({ browser: first.browser, clientName: "Another client" });
    expect(otherClient.consentShown).toBe(true);
  });
});
