/**
 * The narrow view the policy takes of the gateway's one parsed body (`McpBody`, from the strict
 * parser in jsonrpc/message.ts): per message its kind, method and id, and what it acts on (a tool
 * or prompt name, a resource URI), or which list it asks for. Nothing else of the message is read,
 * and nothing is parsed again: the policy decides on exactly the value that is relayed.
 */
import type { JsonRpcId } from "@mcpbox/shared";
import type { JsonRpcMessage, McpBody } from "../jsonrpc/message";
import { isRawJson } from "../jsonrpc/strict-json";
import type { JsonObject, JsonValue } from "../jsonrpc/strict-json";
import type { Target, TargetKind } from "./model";

/** List methods whose results are filtered (MCP 2025-06-18 §server/tools, prompts, resources). */
export const LIST_METHODS = {
  "tools/list": { field: "tools", kind: "tool", key: "name" },
  "prompts/list": { field: "prompts", kind: "prompt", key: "name" },
  "resources/list": { field: "resources", kind: "resource", key: "uri" },
  "resources/templates/list": { field: "resourceTemplates", kind: "resource", key: "uriTemplate" },
} as const satisfies Record<string, { field: string; kind: TargetKind; key: string }>;

export type ListMethod = keyof typeof LIST_METHODS;

export interface PolicyMessage {
  readonly kind: JsonRpcMessage["kind"];
  readonly method: string | null;
  readonly id: JsonRpcId;
  /** What the message acts on; null for methods the policy does not govern. */
  readonly target: Target | null;
  /** Set for a list request whose result is filtered. */
  readonly list: ListMethod | null;
}

function text(value: JsonValue | undefined): string {
  // A name that is not a string matches no allow pattern (the server would refuse it anyway).
  return typeof value === "string" ? value : "";
}

function objectOf(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isRawJson(value) ? value : undefined;
}

/** The tool, prompt or resource a method acts on (MCP 2025-06-18 schema). Pure. */
export function targetOf(method: string, params: JsonObject | undefined): Target | null {
  switch (method) {
    case "tools/call":
      return { kind: "tool", name: text(params?.name) };
    case "prompts/get":
      return { kind: "prompt", name: text(params?.name) };
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe":
      return { kind: "resource", name: text(params?.uri) };
    case "completion/complete": {
      const ref = objectOf(params?.ref);
      if (ref?.type === "ref/prompt") return { kind: "prompt", name: text(ref.name) };
      return { kind: "resource", name: text(ref?.uri) };
    }
    default:
      return null;
  }
}

function isListMethod(method: string): method is ListMethod {
  return Object.hasOwn(LIST_METHODS, method);
}

/** The policy's view of one message of a parsed body. Pure. */
export function policyMessageOf(message: JsonRpcMessage): PolicyMessage {
  const { kind, method, id } = message;
  if (method === null) return { kind, method, id, target: null, list: null };
  const list = kind === "request" && isListMethod(method) ? method : null;
  return { kind, method, id, target: targetOf(method, message.params), list };
}

/** The policy's view of every message of a parsed body, in order. Pure. */
export function policyMessagesOf(body: McpBody): PolicyMessage[] {
  return body.messages.map(policyMessageOf);
}
