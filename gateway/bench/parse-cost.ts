/**
 * CPU per body of the gateway's one parse (strict I-JSON parse, member-variant checks,
 * classification) and of re-serializing it for the relay, next to what V8's own JSON.parse and
 * JSON.stringify cost for the same text. In-process and single-threaded: the hot-path share of the
 * decision that makes every hop see the same message.
 */
import { machineSummary, writeBenchSection } from "@mcpbox/dev/test-kit/node";
import { parseMcpBody } from "../src/jsonrpc/message";

interface Cost {
  body: string;
  bytes: number;
  /** Microseconds of CPU per body. */
  nativeParse: number;
  nativeRoundTrip: number;
  gatewayParse: number;
  gatewayParseAndBytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const call = (args: unknown, id = 1) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: args, _meta: { progressToken: id } } });
const BODIES: [string, string][] = [
  ["tools/call, small arguments", call({ message: "bench 1" })],
  ["tools/call, 4 KiB of arguments", call({ rows: Array.from({ length: 64 }, (_, i) => ({ id: i, name: `row ${i}`, value: i * 1.5, tags: ["a", "b"] })) })],
  ["tools/call, 256 KiB string argument", call({ text: "x".repeat(256 * 1024) })],
  ["batch of 100 pings", JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" })))],
];

/** CPU microseconds per call of `fn`, over enough calls to fill about `budgetMs` of CPU. */
function cpuPerCall(fn: () => unknown, budgetMs = 300): number {
  let iterations = 1;
  for (;;) {
    const before = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const used = process.cpuUsage(before);
    const micros = used.user + used.system;
    if (micros >= budgetMs * 1000) return micros / iterations;
    iterations *= 2;
  }
}

export function measureParseCost(): Cost[] {
  return BODIES.map(([body, text]) => {
    const bytes = encoder.encode(text);
    const parse = () => {
      const result = parseMcpBody(bytes);
      if (!result.ok) throw new Error(result.message);
      return result.body;
    };
    parse();
    return {
      body,
      bytes: bytes.byteLength,
      nativeParse: cpuPerCall(() => JSON.parse(decoder.decode(bytes))),
      nativeRoundTrip: cpuPerCall(() => encoder.encode(JSON.stringify(JSON.parse(decoder.decode(bytes))))),
      gatewayParse: cpuPerCall(parse),
      gatewayParseAndBytes: cpuPerCall(() => parse().bytes),
    };
  });
}

const us = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));

/** The markdown table of `measureParseCost()`. */
export function parseCostTable(costs: Cost[]): string {
  const lines = [
    "| body | bytes | JSON.parse (µs) | JSON.parse + stringify (µs) | gateway parse (µs) | gateway parse + relay bytes (µs) |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const c of costs) {
    lines.push(`| ${c.body} | ${c.bytes} | ${us(c.nativeParse)} | ${us(c.nativeRoundTrip)} | ${us(c.gatewayParse)} | ${us(c.gatewayParseAndBytes)} |`);
  }
  return lines.join("\n");
}

/** Standalone (`npx tsx gateway/bench/parse-cost.ts`): prints the table and writes its own section. */
async function standalone(): Promise<void> {
  const markdown = [
    "## Gateway body parse (`npx tsx gateway/bench/parse-cost.ts`)",
    "",
    `Machine: ${machineSummary()}. CPU per body, in-process, single-threaded. The gateway parses each POST body once`,
    "(strict I-JSON parse, member-variant checks, classification) and relays it re-serialized; V8's own",
    "JSON.parse and JSON.parse + JSON.stringify of the same text are shown for scale.",
    "",
    parseCostTable(measureParseCost()),
  ].join("\n");
  process.stdout.write(`${markdown}\n`);
  await writeBenchSection("gateway-parse", markdown);
}

if (import.meta.url === `file://${process.argv[1]}`) await standalone();
