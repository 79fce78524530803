/**
 * MCP round trips the end-to-end tests run against server-everything behind the whole path,
 * each returning what the person using the client would see.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

export async function echoText(client: Client, message: string): Promise<string> {
  const result = await client.callTool({ name: "echo", arguments: { message } });
  return (result.content as { text?: string }[]).map((c) => c.text ?? "").join("");
}

/**
 * Calls server-everything's long-running tool with a progress token: `steps` progress
 * notifications `intervalMs` apart, then the result. Returns the progress values and the
 * result text in the order they reached the client.
 */
export async function progressEvents(client: Client, steps: number, intervalMs = 20, timeoutMs = 60_000): Promise<(number | string)[]> {
  const seen: (number | string)[] = [];
  const result = await client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: (steps * intervalMs) / 1000, steps } },
    undefined,
    { onprogress: (p) => void seen.push(p.progress), timeout: timeoutMs },
  );
  seen.push((result.content as { text?: string }[])[0]?.text ?? "");
  return seen;
}

export async function readTextResource(client: Client, id: number): Promise<string> {
  const result = await client.readResource({ uri: `demo://resource/dynamic/text/${id}` });
  return (result.contents[0] as { text?: string } | undefined)?.text ?? "";
}

/** 1, 2, …, n. */
export function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
