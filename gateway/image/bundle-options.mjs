/**
 * How the gateway is bundled: one ES module for Node 22 with every package it imports. Plain
 * JavaScript, so that `npm run gateway` and `npm run connect` (src/run-bundled.mjs) can read it
 * under plain node, without a TypeScript loader in the gateway's process. image/bundle.ts builds
 * the container image's file with the same settings.
 */
import { fileURLToPath } from "node:url";

// Bundled CommonJS dependencies may call require() for Node built-ins; an ES module has none.
const REQUIRE_SHIM =
  'import { createRequire as __mcpboxCreateRequire } from "node:module"; const require = __mcpboxCreateRequire(import.meta.url);';

/** The image's bundle settings (the benchmarks and the runner use them too). */
export const BUNDLE_OPTIONS = {
  entryPoints: [fileURLToPath(new URL("../src/main.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  banner: { js: REQUIRE_SHIM },
  legalComments: "eof",
  logLevel: "warning",
};
