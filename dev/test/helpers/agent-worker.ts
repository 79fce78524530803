/**
 * The Agents SDK fixture (dev/fixtures/agent-worker/) run the way the stack runs our Worker:
 * bundled by `wrangler deploy --dry-run` from its own wrangler.toml, then served by Miniflare on
 * 127.0.0.1 with its Durable Object in SQLite storage. The test talks to the agent over HTTP.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { buildWorkerBundle } from "../../src/worker-miniflare";
import { REPO_ROOT, readWorkerSettings } from "../../src/wrangler-settings";

const AGENT_WORKER_CONFIG = path.join(REPO_ROOT, "dev", "fixtures", "agent-worker", "wrangler.toml");
/** The agent class's URL segment (`ToolAgent` in kebab case) in `/agents/<class>/<instance>/…`. */
const AGENT_CLASS_SEGMENT = "tool-agent";

export interface RunningAgentWorker {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The bundle's source, to compare with our Worker's (which must not contain the SDK). */
  bundleSource: string;
  /** `<origin>/agents/tool-agent/<instance>/<action>`. */
  url(instance: string, action: string): string;
  /**
   * GETs (or, with a body, POSTs JSON to) an action of an agent instance and returns its JSON
   * answer; a non-2xx throws with the body and the agent Worker's console output.
   */
  request(instance: string, action: string, body?: unknown): Promise<unknown>;
  dispose(): Promise<void>;
}

export async function startAgentWorker(): Promise<RunningAgentWorker> {
  const bundle = await buildWorkerBundle(undefined, AGENT_WORKER_CONFIG);
  const settings = readWorkerSettings(AGENT_WORKER_CONFIG);
  const logLines: string[] = [];
  let miniflare: Miniflare | undefined;
  try {
    miniflare = new Miniflare(
      convertV4MiniflareOptions({
        name: settings.name,
        modules: true,
        scriptPath: bundle.entry,
        modulesRoot: bundle.dir,
        compatibilityDate: settings.compatibilityDate,
        compatibilityFlags: settings.compatibilityFlags,
        durableObjects: { TOOL_AGENT: { className: "ToolAgent", useSQLite: true } },
        logRequests: false,
        handleStructuredLogs: ({ level, message }: { level: string; message: string }) => void logLines.push(`[${level}] ${message.trimEnd()}`),
        host: "127.0.0.1",
        port: 0,
      }),
    );
    const origin = (await miniflare.ready).origin;
    const running = miniflare;
    const url = (instance: string, action: string) => `${origin}/agents/${AGENT_CLASS_SEGMENT}/${encodeURIComponent(instance)}/${action}`;
    return {
      origin,
      bundleSource: bundle.source,
      url,
      async request(instance, action, body) {
        const init: RequestInit = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
        const response = await fetch(url(instance, action), init);
        const text = await response.text();
        if (!response.ok) throw new Error(`the agent answered ${response.status} to ${action}: ${text}\nits console:\n${logLines.join("\n")}`);
        return JSON.parse(text) as unknown;
      },
      async dispose() {
        await running.dispose();
        await rm(bundle.dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await miniflare?.dispose().catch(() => undefined);
    await rm(bundle.dir, { recursive: true, force: true });
    throw error;
  }
}
