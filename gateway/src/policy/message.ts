/**
 * The narrow view the policy takes of a parsed MCP body: per message its kind, method and id (as
 * jsonrpc-body.ts classified them) and what it acts on (a tool or prompt name, a resource URI),
 * or which list it asks for. Nothing else of the message is read.
 */
import type { JsonRpcId } from "@mcpbox/shared";
import type { ParsedBody } from "../jsonrpc-body";
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
  readonly kind: "request" | "notification" | "response";
  readonly method: string | null;
  readonly id: JsonRpcId;
  /** What the message acts on; null for methods the policy does not govern. */
  readonly target: Target | null;
  /** Set for a list request whose result is filtered. */
  readonly list: ListMethod | null;
}

type Params = Record<string, unknown> | undefined;

function text(value: unknown): string {
  // A name that is not a string matches no allow pattern (the server would refuse it anyway).
  return typeof value === "string" ? value : "";
}

/** The tool, prompt or resource a method acts on (MCP 2025-06-18 schema). Pure. */
export function targetOf(method: string, params: Params): Target | null {
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
      const ref = params?.ref as Params;
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

/** The policy's view of every message of a parsed body, in order. Pure. */
export function policyMessagesOf(body: ParsedBody): PolicyMessage[] {
  const items = body.batch ? (body.value as unknown[]) : [body.value];
  return body.messages.map((info, index) => {
    if (info.method === null) return { kind: info.kind, method: null, id: info.id, target: null, list: null };
    const params = (items[index] as { params?: Params } | undefined)?.params;
    const list = info.kind === "request" && isListMethod(info.method) ? info.method : null;
    return { kind: info.kind, method: info.method, id: info.id, target: targetOf(info.method, params), list };
  });
}
