/**
 * Builds the gateway for its container image (gateway/Dockerfile): src/main.ts and every package it
 * imports as one ES module for Node 22, so the runtime image holds Node and this one file, with no
 * node_modules, no TypeScript loader and no package manager. `node --import tsx image/bundle.ts <out>`.
 */
import { build } from "esbuild";
import type { BuildOptions } from "esbuild";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

// Bundled CommonJS dependencies may call require() for Node built-ins; an ES module has none.
const REQUIRE_SHIM =
  'import { createRequire as __mcpboxCreateRequire } from "node:module"; const require = __mcpboxCreateRequire(import.meta.url);';

/** How the image bundles the gateway (also used by the benchmark's profiler). */
export const BUNDLE_OPTIONS = {
  entryPoints: [MAIN],
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  banner: { js: REQUIRE_SHIM },
  legalComments: "eof",
  logLevel: "warning",
} as const satisfies BuildOptions;

/** Writes the bundled gateway to `outFile`. */
export async function bundleGateway(outFile: string): Promise<void> {
  await build({ ...BUNDLE_OPTIONS, outfile: outFile });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: node --import tsx gateway/image/bundle.ts <output file>\n");
    process.exit(2);
  }
  await bundleGateway(out);
}
