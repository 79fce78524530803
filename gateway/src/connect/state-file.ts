/**
 * What `connect` needs from the provisioner's state file: the address the tunnel's Workers VPC
 * service sends requests to. cloudflared on this machine must resolve that host, so a compose
 * name such as `mcp-gateway` gets advice to run setup with `--gateway-host 127.0.0.1`.
 */
import { readFile } from "node:fs/promises";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The port to listen on and, when the recorded host is not this machine, what to do about it. */
export async function gatewayAddressAdvice(statePath: string): Promise<{ port?: number; advice?: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(statePath, "utf8"));
  } catch (error) {
    // No state here (setup ran elsewhere, or --state points away): nothing to compare with.
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || error instanceof SyntaxError) return {};
    throw error;
  }
  const gateway = typeof parsed === "object" && parsed !== null ? (parsed as { gateway?: unknown }).gateway : undefined;
  const host = typeof gateway === "object" && gateway !== null ? (gateway as { host?: unknown }).host : undefined;
  const port = typeof gateway === "object" && gateway !== null ? (gateway as { port?: unknown }).port : undefined;
  const result: { port?: number; advice?: string } = {};
  if (typeof port === "number" && Number.isInteger(port)) result.port = port;
  if (typeof host === "string" && !LOOPBACK.has(host)) {
    result.advice = `the tunnel sends requests to ${host}:${port}, a name cloudflared on this machine cannot reach; run \`npm run provision -- setup --gateway-host 127.0.0.1\` once (Docker users: \`docker compose up -d\` instead of connect)`;
  }
  return result;
}
