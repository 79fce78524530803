/**
 * The MCP round trips both relays must carry, run with the SDK client against server-everything:
 * tools, a tool that reports progress, a resource. Each returns what the user would see.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

export async function echoText(client: Client, message: string): Promise<string> {
  const result = await client.callTool({ name: "echo", arguments: { message } });
  const content = result.content as { type: string; text?: string }[];
  return content.map((c) => c.text ?? "").join("");
}

/** Calls the long-running tool; returns the progress values and the result, in arrival order. */
export async function progressEvents(client: Client, steps: number): Promise<(number | string)[]> {
  const seen: (number | string)[] = [];
  const result = await client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: steps * 0.02, steps } },
    undefined,
    { onprogress: (p) => void seen.push(p.progress) },
  );
  const content = result.content as { text?: string }[];
  seen.push(content[0]?.text ?? "");
  return seen;
}

export async function readTextResource(client: Client, id: number): Promise<string> {
  const result = await client.readResource({ uri: `demo://resource/dynamic/text/${id}` });
  const first = result.contents[0] as { text?: string } | undefined;
  return first?.text ?? "";
}
