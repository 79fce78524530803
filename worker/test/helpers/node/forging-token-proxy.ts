/**
 * The harness server. `POST /forge/<mode>` is a token endpoint in front of the real development
 * IdP: it forwards the Worker's code exchange untouched, then rewrites the genuine id_token the
 * way `<mode>` says (alg none, HS256 keyed with the public key, foreign keys, bad claims…).
 * `POST /control/rotate/<idp>` rotates an IdP's signing key for the key-rotation test;
 * `POST /control/remove-account/<idp>` and `/control/end-sessions/<idp>` (body: the email) are the
 * Access operator removing a user from the policy and revoking their sessions.
 */
import { createHmac, createPublicKey, type JsonWebKey } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type DevIdp, newSigningKey, signRs256 } from "@mcpbox/dev/idp";
import { FORGE_MODES, type ForgeMode } from "../harness-info";

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the harness server for `idp` (forging) and the named IdPs (rotation, operator actions). */
export async function startHarnessServer(idp: DevIdp, named: Record<string, DevIdp>): Promise<HarnessServer> {
  const attackerKey = newSigningKey("attacker-kid");
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "Content-Type": "text/plain" }).end(error instanceof Error ? error.message : "harness error");
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://harness");
    const control = /^\/control\/(rotate|remove-account|end-sessions)\/([\w-]+)$/.exec(url.pathname);
    if (control && req.method === "POST") {
      const target = named[control[2] ?? ""];
      if (!target) return void res.writeHead(404).end();
      const result = await operatorAction(target, control[1] ?? "", await readBody(req));
      return void res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(result));
    }
    const forge = /^\/forge\/([\w-]+)$/.exec(url.pathname);
    const mode = forge?.[1] as ForgeMode | undefined;
    if (!mode || !FORGE_MODES.includes(mode) || req.method !== "POST") return void res.writeHead(404).end();
    const body = await readBody(req);
    const upstream = await fetch(idp.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": req.headers["content-type"] ?? "application/x-www-form-urlencoded", ...(req.headers.authorization ? { Authorization: req.headers.authorization } : {}) },
      body,
    });
    const text = await upstream.text();
    if (!upstream.ok) return void res.writeHead(upstream.status, { "Content-Type": "application/json" }).end(text);
    const tokens = JSON.parse(text) as { id_token: string } & Record<string, unknown>;
    tokens.id_token = await forgeIdToken(mode, tokens.id_token, idp, attackerKey);
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(tokens));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function operatorAction(target: DevIdp, action: string, email: string): Promise<Record<string, unknown>> {
  if (action === "rotate") return { kid: target.rotateKey() };
  if (action === "remove-account") {
    await target.removeAccount(email);
    return { removed: email };
  }
  return { sessions: await target.endSessions(email) };
}

async function forgeIdToken(mode: ForgeMode, genuine: string, idp: DevIdp, attackerKey: ReturnType<typeof newSigningKey>): Promise<string> {
  const [headerPart = "", payloadPart = ""] = genuine.split(".");
  const header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  switch (mode) {
    case "passthrough":
      return genuine;
    case "alg-none":
      return `${b64({ alg: "none", typ: "JWT", kid: header.kid })}.${b64(claims)}.`;
    case "hs256-public-key": {
      // The classic algorithm confusion: HMAC keyed with the IdP's published RSA public key.
      const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: Array<JsonWebKey & { kid: string }> };
      const jwk = jwks.keys.find((key) => key.kid === header.kid);
      if (!jwk) throw new Error("current kid not in the JWKS");
      const pem = createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" });
      const input = `${b64({ alg: "HS256", typ: "JWT", kid: header.kid })}.${b64(claims)}`;
      return `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
    }
    case "unknown-kid":
      return signRs256(attackerKey, { alg: "RS256", typ: "JWT", kid: attackerKey.kid }, claims);
    case "wrong-signature":
      return signRs256(attackerKey, { alg: "RS256", typ: "JWT", kid: header.kid }, claims);
    case "wrong-iss":
      return idp.signJwt({ ...claims, iss: "https://evil.cloudflareaccess.com/cdn-cgi/access/sso/oidc/attacker" });
    case "wrong-aud":
      return idp.signJwt({ ...claims, aud: "another-access-application" });
    case "wrong-nonce":
      return idp.signJwt({ ...claims, nonce: "attacker-chosen-nonce" });
    case "missing-nonce": {
      const { nonce: _dropped, ...rest } = claims;
      return idp.signJwt(rest);
    }
    case "expired":
      return idp.signJwt({ ...claims, iat: now - 7200, exp: now - 3600 });
    case "nbf-future":
      return idp.signJwt({ ...claims, nbf: now + 3600 });
    case "iat-future":
      return idp.signJwt({ ...claims, iat: now + 3600, exp: now + 7200 });
    case "other-subject":
      return idp.signJwt({ ...claims, sub: "00000000-0000-4000-8000-000000000000" });
    case "other-email":
      return idp.signJwt({ ...claims, email: "someone-else@mcpbox.test" });
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
