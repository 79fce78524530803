/**
 * The policy's hook into the request path (installed only when `MCPBOX_POLICY` is set), after
 * identity and body checks: the caller's rate limit first, then every message of the body
 * against the rules. Refused requests get JSON-RPC errors naming the rule and never reach the
 * upstream; the rest of a batch goes on. The reply is rewritten only when the body held a list
 * request (or refusals must join the answer), so other requests cost no stream work at all.
 */
import { MCPBOX_HEADERS, MCP_HEADERS, jsonRpcError } from "@mcpbox/shared";
import type { JsonRpcErrorBody, JsonRpcId } from "@mcpbox/shared";
import type { Context, MiddlewareHandler } from "hono";
import { identityKey } from "../context";
import type { GatewayEnv } from "../context";
import { GatewayError } from "../errors";
import { McpBody } from "../jsonrpc/message";
import type { JsonValue } from "../jsonrpc/strict-json";
import { refuse } from "../middleware/refuse";
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

/** Charges the caller's bucket; a refusal answers 429 with Retry-After. */
function rateLimited(c: Context<GatewayEnv>, runtime: PolicyRuntime, subject: Subject): Response | undefined {
  const limit = subject.rateLimit;
  if (!limit) return undefined;
  const key = identityKey(c.var.identity) ?? ANONYMOUS_KEY;
  const body = c.req.method === "POST" ? c.var.body : undefined;
  const cost = body ? body.messages.length : 1;
  const admission = runtime.limiter.take(key, limit, cost, runtime.now());
  if (admission.ok) return undefined;
  noteDecision(c.env?.audit, "rate_limited", [subject.rateLimitSource]);
  const rate = `${limit.requestsPerMinute} requests a minute (bursts of ${limit.burst})`;
  const message = admission.neverFits
    ? `Too many requests at once: this body holds ${cost} messages and the gateway's policy (${subject.rateLimitSource}) allows bursts of ${limit.burst}; send fewer at a time`
    : `Too many requests: the gateway's policy (${subject.rateLimitSource}) allows ${rate}; retry in ${admission.retryAfterSeconds} s`;
  const ids = body?.messages.filter((m) => m.kind === "request").map((m) => m.id) ?? [];
  return refuse(c, "rate_limited", message, { ids, batch: body?.batch ?? false, retryAfterSeconds: admission.retryAfterSeconds });
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
function keepOnly(c: Context<GatewayEnv>, kept: readonly number[]): void {
  const body = c.var.body;
  const items = body.value as JsonValue[];
  const value = kept.map((i) => items[i] as JsonValue);
  c.set(
    "body",
    new McpBody(
      value,
      kept.map((i) => body.messages[i] as (typeof body.messages)[number]),
      true,
    ),
  );
}

function setEdit(c: Context<GatewayEnv>, edit: ReplyEdit): void {
  c.set("editReply", (reply) => editReply(reply, edit));
}

/** Builds the policy middleware over the live policy of `runtime`. */
export function policyGuard(runtime: PolicyRuntime): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const policy = runtime.current;
    const identity = c.var.identity;
    const clientId = c.req.header(MCPBOX_HEADERS.clientId)?.slice(0, MAX_CLIENT_ID_LENGTH) ?? null;
    const subject = subjectOf(policy, { email: identity.kind === "user" ? identity.email : null, clientId });
    const limited = rateLimited(c, runtime, subject);
    if (limited) return limited;
    const audit = c.env?.audit;

    if (c.req.method === "GET") {
      // A resumed stream may replay a list answer first sent on a POST stream: judge by shape.
      if (c.req.header(MCP_HEADERS.lastEventId) !== undefined && (!subject.unrestricted || policy.usesReadOnly)) {
        setEdit(c, { refusals: [], batch: false, rewriter: listFilter({ runtime, policy, subject, lists: null, audit }) });
      }
      return next();
    }
    if (c.req.method !== "POST") return next();
    // Nothing to refuse, hide or learn: the body is not even looked at again.
    if (subject.unrestricted && !policy.usesReadOnly) return next();

    const body = c.var.body;
    const { refused, kept, lists } = judge(runtime, policy, subject, policyMessagesOf(body));
    const refusals: JsonRpcErrorBody[] = [];
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
        return refuse(c, "policy_denied", first, options);
      }
      if (audit) audit.error = "policy_denied";
      const rpcCode = new GatewayError("policy_denied", "").rpcCode;
      requests.forEach((r, i) => refusals.push(jsonRpcError(rpcCode, messages[i] as string, r.message.id)));
      keepOnly(c, kept);
    }
    if (refusals.length > 0 || lists.size > 0) {
      const rewriter = lists.size > 0 ? listFilter({ runtime, policy, subject, lists, audit }) : undefined;
      setEdit(c, { refusals, batch: body.batch, rewriter });
    }
    return next();
  };
}
