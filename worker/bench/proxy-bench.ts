/**
 * `npm run bench -w @mcpbox/worker`: the deployable bundle's size (from `wrangler deploy --dry-run`,
 * budget 100 KiB gzipped, no `agents` package), and an authorized /mcp round trip through the
 * Worker in Miniflare against the same loopback stand-in gateway reached directly.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { machineSummary, percentile, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { startDevIdp } from "@mcpbox/dev/idp";
import { runAuthorizationCodeFlow } from "@mcpbox/dev/test-kit";
import { buildWorkerBundle, startWorkerInMiniflare } from "@mcpbox/dev/worker-miniflare";

const BUNDLE_BUDGET_GZIP_BYTES = 100 * 1024;
const WORKER_ORIGIN = "https://mcpbox-proxy.bench.workers.dev";
const WARMUP = 50;
const ROUNDS = 400;
const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });

/** A minimal gateway: answers every POST /mcp with a small JSON-RPC result. */
async function startEchoGateway(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json", "Mcp-Session-Id": "bench" });
      res.end('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const bundle = await buildWorkerBundle();
  const bundlesAgents = /node_modules\/agents\//.test(bundle.source);

  const gateway = await startEchoGateway();
  const idpClientId = "bench-access-app";
  const idpSecret = randomBytes(24).toString("hex");
  const idp = await startDevIdp({ clientId: idpClientId, clientSecret: idpSecret, redirectUris: [`${WORKER_ORIGIN}/callback`] });
  const worker = await startWorkerInMiniflare({
    bundle,
    secrets: {
      MCPBOX_SERVICE_TOKEN: randomBytes(32).toString("hex"),
      ACCESS_CLIENT_ID: idpClientId,
      ACCESS_CLIENT_SECRET: idpSecret,
      ACCESS_AUTHORIZATION_URL: idp.authorizationUrl,
      ACCESS_TOKEN_URL: idp.tokenUrl,
      ACCESS_JWKS_URL: idp.jwksUrl,
      COOKIE_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    },
    tunnelAddress: `127.0.0.1:${gateway.port}`,
  });

  try {
    const network = { workerOrigin: WORKER_ORIGIN, worker: (request: Request) => worker.dispatchFetch(request) };
    const flow = await runAuthorizationCodeFlow(network, { mcpUrl: `${WORKER_ORIGIN}/mcp`, email: "bench@mcpbox.test" });
    const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
    const viaWorker = async () => {
      const response = await worker.dispatchFetch(
        new Request(`${WORKER_ORIGIN}/mcp`, { method: "POST", headers: { ...headers, Authorization: `Bearer ${flow.tokens.access_token}` }, body: BODY }),
      );
      if (response.status !== 200) throw new Error(`worker answered ${response.status}`);
      await response.arrayBuffer();
    };
    const direct = async () => {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/mcp`, { method: "POST", headers, body: BODY });
      if (response.status !== 200) throw new Error(`gateway answered ${response.status}`);
      await response.arrayBuffer();
    };

    for (let i = 0; i < WARMUP; i++) {
      await viaWorker();
      await direct();
    }
    const workerMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved, so both paths see the same machine load.
      let start = performance.now();
      await viaWorker();
      workerMs.push(performance.now() - start);
      start = performance.now();
      await direct();
      directMs.push(performance.now() - start);
    }

    const median = (values: number[]) => percentile(values, 50);
    const ratio = median(workerMs) / median(directMs);
    const kib = (bytes: number) => (bytes / 1024).toFixed(1);
    const withinBudget = bundle.gzipBytes <= BUNDLE_BUDGET_GZIP_BYTES;
    const rows = [
      ["Worker bundle (`wrangler deploy --dry-run`)", `${kib(bundle.bytes)} KiB raw, **${kib(bundle.gzipBytes)} KiB gzipped**`, `≤ ${kib(BUNDLE_BUDGET_GZIP_BYTES)} KiB gzipped: ${withinBudget ? "within budget" : "OVER BUDGET"}`],
      ["`agents` package in the bundle", bundlesAgents ? "yes" : "no", "not without a written reason"],
      ["POST /mcp straight to the stand-in gateway", `median ${median(directMs).toFixed(2)} ms, p95 ${percentile(directMs, 95).toFixed(2)} ms`, "baseline"],
      ["POST /mcp through the Worker (Miniflare, token check, tunnel binding)", `median ${median(workerMs).toFixed(2)} ms, p95 ${percentile(workerMs, 95).toFixed(2)} ms`, `**${ratio.toFixed(2)}×** the baseline, **+${(median(workerMs) - median(directMs)).toFixed(2)} ms**`],
    ];
    const table = ["| measure | result | reference |", "|---|---|---|", ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
    const markdown = `## Worker (\`npm run bench -w @mcpbox/worker\`)

${ROUNDS} interleaved round trips after ${WARMUP} warm-up pairs, one client, keep-alive.
Machine: ${machineSummary()}.

${table}

The Worker path includes Miniflare's HTTP hop into workerd, the OAuth library's token lookup and
props decryption in local KV, and the MCPBOX_TUNNEL service binding to the same loopback gateway;
in production the tunnel hop replaces the loopback one.`;
    console.log(markdown);
    await writeBenchSection("worker", markdown);
    if (!withinBudget || bundlesAgents) process.exitCode = 1;
  } finally {
    await worker.dispose();
    await idp.close();
    await gateway.close();
  }
}

await main();
