/**
 * Remembered approvals: a signed `__Host-` cookie listing the (client, redirect URI, resource)
 * triples this browser approved and the scopes it approved for each, for 30 days. A request is
 * covered when all three match and it asks for a subset of those scopes (MCP security best
 * practices, confused deputy: consent per client, remembered only for the same client).
 */
import type { AuthRequest } from "@cloudflare/workers-oauth-provider";
import { base64url, hostCookie, readCookie } from "../http/encoding";
import { signJson, verifyJson } from "./signed-value";

const APPROVALS_COOKIE = "__Host-mcpbox-approvals";
const APPROVAL_TTL_SECONDS = 30 * 24 * 3600;
const CONTEXT = "consent-approvals";
const MAX_COOKIE_VALUE_CHARS = 3800;

interface Approval {
  /** Hash of client id, redirect URI and resource. */
  k: string;
  /** Approved scopes. */
  s: string[];
  /** Expiry, seconds since the epoch. */
  e: number;
}

/** Whether this browser approved this client, redirect URI and resource, for these scopes, and still remembers it. */
export async function isApprovalRemembered(key: CryptoKey, request: Request, authRequest: AuthRequest, nowSeconds: number): Promise<boolean> {
  const approvals = await readApprovals(key, request, nowSeconds);
  const wanted = await approvalKey(authRequest);
  const approval = approvals.find((entry) => entry.k === wanted);
  return approval !== undefined && authRequest.scope.every((scope) => approval.s.includes(scope));
}

/** The `Set-Cookie` value that adds (or renews) the approval of `authRequest`. */
export async function rememberApproval(key: CryptoKey, request: Request, authRequest: AuthRequest, nowSeconds: number): Promise<string> {
  const wanted = await approvalKey(authRequest);
  const approvals = (await readApprovals(key, request, nowSeconds)).filter((entry) => entry.k !== wanted);
  approvals.push({ k: wanted, s: [...authRequest.scope], e: nowSeconds + APPROVAL_TTL_SECONDS });
  let value = await signJson(key, CONTEXT, approvals);
  // The oldest approvals give way when the cookie would grow past what browsers keep.
  while (value.length > MAX_COOKIE_VALUE_CHARS && approvals.length > 1) {
    approvals.shift();
    value = await signJson(key, CONTEXT, approvals);
  }
  return hostCookie(APPROVALS_COOKIE, value, APPROVAL_TTL_SECONDS);
}

async function readApprovals(key: CryptoKey, request: Request, nowSeconds: number): Promise<Approval[]> {
  const value = await verifyJson(key, CONTEXT, readCookie(request, APPROVALS_COOKIE));
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is Approval => isApproval(entry) && entry.e > nowSeconds);
}

function isApproval(value: unknown): value is Approval {
  if (typeof value !== "object" || value === null) return false;
  const { k, s, e } = value as Record<string, unknown>;
  return typeof k === "string" && typeof e === "number" && Array.isArray(s) && s.every((scope) => typeof scope === "string");
}

async function approvalKey(authRequest: AuthRequest): Promise<string> {
  const material = JSON.stringify([authRequest.clientId, authRequest.redirectUri, authRequest.resource ?? null]);
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material))));
}
