/**
 * Filters the results of `tools/list`, `prompts/list`, `resources/list` and
 * `resources/templates/list` down to what the caller may use, and lets the gateway learn each
 * tool's `readOnlyHint` from the unfiltered tools/list answer on the way. Every other message
 * (notifications such as `notifications/tools/list_changed` included) is left untouched.
 */
import type { JsonRpcId } from "@mcpbox/shared";
import type { AuditRecord } from "../audit";
import { decide } from "./decide";
import type { Subject } from "./decide";
import { LIST_METHODS } from "./message";
import type { ListMethod } from "./message";
import type { Policy } from "./model";
import { isReadOnly } from "./runtime";
import type { PolicyRuntime } from "./runtime";
import type { MessageRewriter } from "./sse-rewrite";
import { noteDecision } from "./audit-note";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Which list a result answers, judged by its shape (for resumed streams, where ids are unknown). */
function listByShape(result: Json): ListMethod | undefined {
  for (const method of Object.keys(LIST_METHODS) as ListMethod[]) {
    if (Array.isArray(result[LIST_METHODS[method].field])) return method;
  }
  return undefined;
}

export interface ListFilterOptions {
  runtime: PolicyRuntime;
  policy: Policy;
  subject: Subject;
  /** The list requests of this POST by id; null: judge every response by its shape. */
  lists: Map<JsonRpcId, ListMethod> | null;
  audit: AuditRecord | undefined;
}

/** A rewriter for the responses to list requests; finished once every listed id was answered. */
export function listFilter({ runtime, policy, subject, lists, audit }: ListFilterOptions): MessageRewriter {
  return {
    finished: () => lists !== null && lists.size === 0,
    rewrite(message) {
      if (!isObject(message) || "method" in message || !isObject(message.result)) return undefined;
      const result = message.result;
      let method: ListMethod | undefined;
      if (lists === null) method = listByShape(result);
      else {
        const id = message.id as JsonRpcId;
        method = lists.get(id);
        lists.delete(id);
      }
      if (method === undefined) return undefined;
      const { field, kind, key } = LIST_METHODS[method];
      const items = result[field];
      if (!Array.isArray(items)) return undefined;
      if (method === "tools/list" && policy.usesReadOnly) runtime.learnTools(items);
      if (subject.unrestricted) return undefined;

      const hiddenBy = new Set<string>();
      const kept = items.filter((item: unknown) => {
        const name = isObject(item) && typeof item[key] === "string" ? item[key] : "";
        const decision = decide(policy, subject, { kind, name }, kind === "tool" ? isReadOnly(item) : undefined);
        if (!decision.allowed) hiddenBy.add(decision.rule);
        return decision.allowed;
      });
      if (hiddenBy.size === 0) return undefined;
      noteDecision(audit, "filtered", hiddenBy);
      return { ...message, result: { ...result, [field]: kept } };
    },
  };
}
