/**
 * The dev section of docs/benchmarks.md: the full-path latency table against its target, the
 * breakdown of the Worker's share with what was done about each part, and `npm start`'s time to
 * ready. Pure formatting of one run's figures.
 */
import { machineSummary, percentile } from "../src/test-kit/node";
import type { CaseResult } from "./timing";
import { ms } from "./timing";

export interface FullPathFigures {
  rounds: number;
  warmup: number;
  results: ReadonlyMap<string, CaseResult>;
  startupMs: readonly number[];
  stackTimings: { readyMs: number; bundleMs: number; workerStartMs: number };
  targetAddedP50Ms: number;
  startupTargetMs: number;
}

export function fullPathMarkdown(f: FullPathFigures): string {
  const r = (name: string): CaseResult => {
    const result = f.results.get(name);
    if (!result) throw new Error(`no result for ${name}`);
    return result;
  };
  const p50 = (name: string) => r(name).p50;
  const added = p50("full") - p50("direct");
  const gatewayShare = p50("gateway") - p50("direct");
  const workerShare = p50("full") - p50("gateway");
  const kvRead = p50("mcp-unknown-token") - p50("mcp-no-token");
  const workerHop = p50("health-worker");
  const rest = workerShare - workerHop - kvRead;
  const entryEcho = p50("full-entry") - p50("full");
  const entryHealth = p50("health-entry") - p50("health-worker");
  const slowestStart = Math.max(...f.startupMs);
  const row = (label: string, name: string) => `| ${label} | ${ms(r(name).p50)} | ${ms(r(name).p99)} |`;

  return `## Full path, local (\`npm run bench\`, dev/bench)

Machine: ${machineSummary()}.
One MCP SDK client, one request at a time on keep-alive connections; ${f.rounds} interleaved rounds after
${f.warmup} warm-up rounds (every case once per round, so all see the same load). The stack runs in its own
process as \`npm start\` builds it (IdP, gateway with its audit log in a file, the Worker bundle in
Miniflare), in front of server-everything over Streamable HTTP in a third process.

| tools/call echo | p50 (ms) | p99 (ms) |
|---|---:|---:|
${row("server-everything over HTTP, direct (baseline)", "direct")}
${row("through the gateway only (service token and email headers set by hand)", "gateway")}
${row("**through the Worker and the gateway** (the `npm start` path)", "full")}
${row("the same with Miniflare's entry worker in front (not used by `npm start`)", "full-entry")}

| target | figure | verdict |
|---|---:|---|
| Worker + gateway add at most ${f.targetAddedP50Ms} ms at p50 on loopback | +${ms(added)} ms (gateway +${ms(gatewayShare)}, Worker +${ms(workerShare)}) | ${added <= f.targetAddedP50Ms ? "met" : "**missed**"} |
| \`npm start\` ready in under ${f.startupTargetMs / 1000} s | median ${(percentile(f.startupMs, 50) / 1000).toFixed(1)} s, slowest ${(slowestStart / 1000).toFixed(1)} s (${f.startupMs.length} runs) | ${slowestStart < f.startupTargetMs ? "met" : "**missed**"} |

Where the Worker's share goes (p50 of each request, same run):

| request | p50 (ms) |
|---|---:|
| GET /health at the gateway (a Node HTTP round trip, for scale) | ${ms(p50("health-gateway"))} |
| GET /health at the Worker (a workerd HTTP round trip and the router) | ${ms(p50("health-worker"))} |
| GET /health at the Worker through Miniflare's entry worker | ${ms(p50("health-entry"))} |
| POST /mcp at the Worker without a token → 401 (no KV read) | ${ms(p50("mcp-no-token"))} |
| POST /mcp with an unknown well-formed token → 401 (one KV read) | ${ms(p50("mcp-unknown-token"))} |

- **The extra hop, ${ms(workerHop)} ms**: one more loopback HTTP round trip (client → workerd). At Cloudflare this
  is the client's own connection to the edge, so it is not an addition there.
- **Token validation, ${ms(kvRead)} ms**: the OAuth library reads the token's record from KV on every request.
  Locally that is Miniflare's KV (a SQLite-backed object behind a JavaScript worker); at the edge a hot key is
  served from the data centre's cache. Caching validated tokens in the isolate would save it but let a revoked
  token through for the cache's lifetime, so it is not done.
- **Relaying, props and headers, ${ms(rest)} ms**: the rest of the Worker's share — decrypting the grant's
  props, building the gateway request, and streaming the request and the SSE response through workerd.
  MCPBOX_TUNNEL is an \`external\` HTTP service: workerd itself holds keep-alive connections to the gateway,
  with no detour through Node.
- **What was removed**: Miniflare's entry worker (request logging, pretty error pages, the \`cf\` object) cost
  ${ms(entryEcho)} ms per tools/call here (${ms(entryHealth)} ms on /health), so \`npm start\` serves the Worker on a
  direct socket, as the edge runs it; Miniflare's per-request log line is off (the gateway's audit log records
  every call). The Worker logs nothing on a successful call.
- **The gateway's share, ${ms(gatewayShare)} ms**, is measured in its own section above.

Start-up inside the stack process: ready in ${ms(f.stackTimings.readyMs)} ms, of which the Worker bundle
(\`wrangler deploy --dry-run\`, built while the IdP and the gateway start) took ${ms(f.stackTimings.bundleMs)} ms and
Miniflare's start ${ms(f.stackTimings.workerStartMs)} ms. The \`npm start\` times include npm, Node and module loading;
the first run also generated \`.dev.vars\`.`;
}
