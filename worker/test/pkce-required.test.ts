/**
 * PKCE for every client, confidential ones included (OAuth 2.1 §4.1.1; the MCP authorization spec):
 * a client with a secret that leaves out code_challenge is sent back with invalid_request before
 * any consent or sign-in; with PKCE the same client reaches the consent page.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authorizationUrl, newPkce } from "@mcpbox/dev/test-kit";
import { ORIGIN, mcpPost, mcpUrl, newProbe, standinRecords } from "./helpers/workerd/worker-harness";

const REDIRECT_URI = "https://app.example/oauth/callback";

async function registerConfidentialClient(): Promise<{ client_id: string; client_secret: string }> {
  const response = await SELF.fetch(
    new Request(`${ORIGIN}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT_URI], client_name: "Confidential app", token_endpoint_auth_method: "client_secret_basic", grant_types: ["authorization_code", "refresh_token"] }),
    }),
  );
  expect(response.status).toBe(201);
  const client = (await response.json()) as { client_id: string; client_secret?: string };
  expect(client.client_secret).toEqual(expect.any(String));
  return { client_id: client.client_id, client_secret: client.client_secret ?? "" };
}

describe("a confidential client", () => {
  it("without PKCE is sent back with invalid_request (state and iss kept), with no consent page and no sign-in", async () => {
    const client = await registerConfidentialClient();
    const url = new URL(`${ORIGIN}/authorize`);
    url.search = new URLSearchParams({ response_type: "code", client_id: client.client_id, redirect_uri: REDIRECT_URI, state: "st-1", resource: `${ORIGIN}/` }).toString();
    const response = await SELF.fetch(new Request(url, { redirect: "manual" }));
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get("Location") ?? "");
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("error_description")).toContain("PKCE is required");
    expect(back.searchParams.get("state")).toBe("st-1");
    expect(back.searchParams.get("iss")).toBe(ORIGIN);
    expect(back.searchParams.get("code")).toBeNull();
    expect(response.headers.get("Set-Cookie")).toBeNull();

    const probe = newProbe();
    expect((await SELF.fetch(mcpPost(mcpUrl(probe), undefined))).status).toBe(401);
    expect(await standinRecords(probe)).toEqual([]);
  });

  it("with PKCE S256 reaches the consent page", async () => {
    const client = await registerConfidentialClient();
    const url = authorizationUrl(`${ORIGIN}/authorize`, { clientId: client.client_id, redirectUri: REDIRECT_URI, pkce: await newPkce(), state: "st-2", resource: `${ORIGIN}/` });
    const response = await SELF.fetch(new Request(url, { redirect: "manual" }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Confidential app");
  });
});
