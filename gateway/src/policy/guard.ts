/**
 * The policy's hook into the request path (installed only when `MCPBOX_POLICY` is set), after
 * identity and body checks: the caller's rate limit first, then every message of the body
 * against the rules. Refused requests get JSON-RPC errors naming the rule and never reach the
 * upstream; the rest of a batch goes on. The reply is rewritten only when the body held a list
 * request (or refusals must join the answer), so other requests cost no stream work at all.
 */
import { MCPBOX_HEADERS, MCP_HEADERS, jsonRpcError } from "@mcpbox/shared";
import type { JsonRpcErrorBody, JsonRpcId } from "@mcpbox/shared";
import type { AuditRecord } from "../audit";
import { identityKey } from "../context";
import type { Identity } from "../context";
import { GatewayError } from "../errors";
import { refusal } from "../guard/refusal";
import type { Refusal } from "../guard/refusal";
import { McpBody } from "../jsonrpc/message";
import type { JsonValue } from "../jsonrpc/strict-json";
import type { UpstreamReply } from "../reply";
import { noteDecision } from "./audit-note";
import { decide, subjectOf } from "./decide";
import type { Decision, Subject } from "./decide";
import { listFilter } from "./list-filter";
import { policyMessagesOf } from "./message";
import type { ListMethod, PolicyMessage } from "./message";
import type { Policy } from "./model";
import { editReply } from "./reply-edit";
import type { ReplyEdit } from "./reply-edit";
import type { PolicyRuntime } from "./runtime";

const ANONYMOUS_KEY = "(no email)";
// Same bound as the audit log's clientId field.
const MAX_CLIENT_ID_LENGTH = 200;

function refusalMessage(decision: Decision & { allowed: false }): string {
  return `Forbidden by the gateway's tool policy (rule "${decision.rule}"): ${decision.reason}. Ask the owner of this MCP server if you need it.`;
}

/** What the policy reads of a request that passed every earlier check. */
export interface PolicyRequest {
  readonly method: string;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  readonly identity: Identity;
  /** A POST's parsed body. */
  readonly body: McpBody | undefined;
  readonly audit: AuditRecord | undefined;
}

/** Let through: the body to relay (the refused messages of a batch removed) and the reply's rewrite, if any. */
export interface PolicyPass {
  readonly body: McpBody | undefined;
  readonly editReply: ((reply: UpstreamReply) => Promise<UpstreamReply>) | undefined;
}

/** Charges the caller's bucket; a refusal answers 429 with Retry-After. */
function rateLimited(request: PolicyRequest, runtime: PolicyRuntime, subject: Subject): Refusal | undefined {
  const limit = subject.rateLimit;
  if (!limit) return undefined;
  const key = identityKey(request.identity) ?? ANONYMOUS_KEY;
  const body = request.method === "POST" ? request.body : undefined;
  const cost = body ? body.messages.length : 1;
  const admission = runtime.limiter.take(key, limit, cost, runtime.now());
  if (admission.ok) return undefined;
  noteDecision(request.audit, "rate_limited", [subject.rateLimitSource]);
  const rate = `${limit.requestsPerMinute} requests a minute (bursts of ${limit.burst})`;
  const message = admission.neverFits
    ? `Too many requests at once: this body holds ${cost} messages and the gateway's policy (${subject.rateLimitSource}) allows bursts of ${limit.burst}; send fewer at a time`
    : `Too many requests: the gateway's policy (${subject.rateLimitSource}) allows ${rate}; retry in ${admission.retryAfterSeconds} s`;
  const ids = body?.messages.filter((m) => m.kind === "request").map((m) => m.id) ?? [];
  return refusal("rate_limited", message, { ids, batch: body?.batch ?? false, retryAfterSeconds: admission.retryAfterSeconds });
}

interface Verdicts {
  refused: { message: PolicyMessage; decision: Decision & { allowed: false } }[];
  kept: number[];
  lists: Map<JsonRpcId, ListMethod>;
}

function judge(runtime: PolicyRuntime, policy: Policy, subject: Subject, messages: readonly PolicyMessage[]): Verdicts {
  const verdicts: Verdicts = { refused: [], kept: [], lists: new Map() };
  messages.forEach((message, index) => {
    const { target, list } = message;
    if (target && !subject.unrestricted) {
      const hint = target.kind === "tool" ? runtime.readOnlyHint(target.name) : undefined;
      const decision = decide(policy, subject, target, hint);
      if (!decision.allowed) {
        verdicts.refused.push({ message, decision });
        return;
      }
    }
    verdicts.kept.push(index);
    if (list && (!subject.unrestricted || (list === "tools/list" && policy.usesReadOnly))) verdicts.lists.set(message.id, list);
  });
  return verdicts;
}

/**
 * Drops the refused messages of a batch from what is relayed: the rest becomes a new McpBody,
 * whose re-serialized bytes are what an HTTP upstream receives (never the client's bytes).
 */
function keepOnly(body: McpBody, kept: readonly number[]): McpBody {
  const items = body.value as JsonValue[];
  const value = kept.map((i) => items[i] as JsonValue);
  return new McpBody(
    value,
    kept.map((i) => body.messages[i] as (typeof body.messages)[number]),
    true,
  );
}

const edit = (change: ReplyEdit) => (reply: UpstreamReply) => editReply(reply, change);

/**
 * Applies the policy in force to a request that passed every earlier check: a refusal (every
 * message refused, or rate-limited), or what to relay and how to rewrite the reply.
 */
export function applyPolicy(runtime: PolicyRuntime, request: PolicyRequest): Refusal | PolicyPass {
  const policy = runtime.current;
  const { identity, audit, method } = request;
  const clientId = request.header(MCPBOX_HEADERS.clientId.toLowerCase())?.slice(0, MAX_CLIENT_ID_LENGTH) ?? null;
  const subject = subjectOf(policy, { email: identity.kind === "user" ? identity.email : null, clientId });
  const limited = rateLimited(request, runtime, subject);
  if (limited) return limited;
  const pass: PolicyPass = { body: request.body, editReply: undefined };

  if (method === "GET") {
    // A resumed stream may replay a list answer first sent on a POST stream: judge by shape.
    if (request.header(MCP_HEADERS.lastEventId.toLowerCase()) !== undefined && (!subject.unrestricted || policy.usesReadOnly)) {
      return {
        ...pass,
        editReply: edit({ refusals: [], batch: false, rewriter: listFilter({ runtime, policy, subject, lists: null, audit }) }),
      };
    }
    return pass;
  }
  const body = request.body;
  // Nothing to refuse, hide or learn: the body is not even looked at again.
  if (method !== "POST" || !body || (subject.unrestricted && !policy.usesReadOnly)) return pass;

  const { refused, kept, lists } = judge(runtime, policy, subject, policyMessagesOf(body));
  const refusals: JsonRpcErrorBody[] = [];
  let relayed = body;
  if (refused.length > 0) {
    noteDecision(
      audit,
      "refused",
      refused.map((r) => r.decision.rule),
    );
    const requests = refused.filter((r) => r.message.kind === "request");
    const messages = requests.map((r) => refusalMessage(r.decision));
    if (kept.length === 0) {
      const first = refusalMessage((refused[0] as Verdicts["refused"][number]).decision);
      // Refused notifications have no id to answer: a body of only those gets a plain 403.
      const options = requests.length > 0 ? { ids: requests.map((r) => r.message.id), batch: body.batch, messages } : { status: 403 };
      return refusal("policy_denied", first, options);
    }
    if (audit) audit.error = "policy_denied";
    const rpcCode = new GatewayError("policy_denied", "").rpcCode;
    requests.forEach((r, i) => refusals.push(jsonRpcError(rpcCode, messages[i] as string, r.message.id)));
    relayed = keepOnly(body, kept);
  }
  if (refusals.length > 0 || lists.size > 0) {
    const rewriter = lists.size > 0 ? listFilter({ runtime, policy, subject, lists, audit }) : undefined;
    return { body: relayed, editReply: edit({ refusals, batch: body.batch, rewriter }) };
  }
  return { ...pass, body: relayed };
}
