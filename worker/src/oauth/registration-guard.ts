/**
 * Cheap checks in front of dynamic client registration (RFC 7591), before the OAuth library
 * stores anything: JSON only, a small body, and bounded sizes for every member a client may send.
 * The library still judges the metadata's meaning (redirect URI rules, grant types, auth method).
 */
import { WorkerError } from "../http/errors";

/** Size limits for registration metadata members. */
const REGISTRATION_LIMITS = {
  /** `client_name` and its `#lang` variants, in characters. */
  nameChars: 200,
  /** Any URI member (`client_uri`, `logo_uri`, `redirect_uris[i]`, …), in characters. */
  uriChars: 2048,
  /** Entries in `redirect_uris`. */
  redirectUris: 10,
  /** Entries in `contacts`, `grant_types`, `response_types`. */
  listEntries: 10,
  /** Any other string member, in characters. */
  otherStringChars: 512,
  /** Members in the metadata object. */
  members: 40,
} as const;

const URI_MEMBERS = new Set(["client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri"]);
const LIST_MEMBERS = new Set(["contacts", "grant_types", "response_types"]);

/** The registration body must be `application/json` (RFC 7591 §3.1); anything else is a 415. */
export function assertJsonContentType(request: Request): void {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new WorkerError("unsupported_media_type", "Client registration takes a JSON body (Content-Type: application/json).", {
      headers: { Accept: "application/json" },
    });
  }
}

/**
 * Parses the body and checks the size of every member. Returns nothing: the library parses the
 * same bytes again and validates their meaning.
 */
export function assertRegistrationSizes(bytes: Uint8Array): void {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw invalid("The registration body is not valid UTF-8 JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("Client metadata must be a JSON object.");
  const members = Object.entries(value);
  if (members.length > REGISTRATION_LIMITS.members) throw invalid(`Client metadata has more than ${REGISTRATION_LIMITS.members} members.`);
  for (const [name, member] of members) checkMember(name, member);
}

function checkMember(name: string, member: unknown): void {
  const base = name.split("#")[0] ?? name;
  if (base === "client_name") return checkString(name, member, REGISTRATION_LIMITS.nameChars);
  if (URI_MEMBERS.has(base)) return checkString(name, member, REGISTRATION_LIMITS.uriChars);
  if (base === "redirect_uris") return checkList(name, member, REGISTRATION_LIMITS.redirectUris, REGISTRATION_LIMITS.uriChars);
  if (LIST_MEMBERS.has(base)) return checkList(name, member, REGISTRATION_LIMITS.listEntries, REGISTRATION_LIMITS.otherStringChars);
  if (typeof member === "string") return checkString(name, member, REGISTRATION_LIMITS.otherStringChars);
  // Objects (an inline `jwks`) and other values only count towards the body cap.
}

function checkString(name: string, member: unknown, maxChars: number): void {
  if (typeof member !== "string") throw invalid(`${name} must be a string.`);
  if ([...member].length > maxChars) throw invalid(`${name} is longer than ${maxChars} characters.`);
}

function checkList(name: string, member: unknown, maxEntries: number, maxChars: number): void {
  if (!Array.isArray(member)) throw invalid(`${name} must be an array of strings.`);
  if (member.length > maxEntries) throw invalid(`${name} has more than ${maxEntries} entries.`);
  for (const entry of member) checkString(`${name}[]`, entry, maxChars);
}

function invalid(message: string): WorkerError {
  return new WorkerError("invalid_client_metadata", message, { hint: "Fix the client's registration metadata (RFC 7591)." });
}
