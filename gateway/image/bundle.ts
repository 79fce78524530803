/**
 * Builds the gateway for its container image (gateway/Dockerfile): src/main.ts and every package it
 * imports as one ES module for Node 22, so the runtime image holds Node and this one file, with no
 * node_modules, no TypeScript loader and no package manager. `node --import tsx image/bundle.ts <out>`.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { BUNDLE_OPTIONS } from "./bundle-options.mjs";

export { BUNDLE_OPTIONS };

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
