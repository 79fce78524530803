/**
 * Runs `npm run gateway` and `npm run connect` the way the container image runs the gateway: the
 * entry point and everything it imports bundled into one ES module (image/bundle-options.mjs, the
 * image's settings), then that module imported into this process. Plain JavaScript under plain
 * node, so the gateway's process carries no TypeScript loader: run through tsx, the same bundle
 * used about 40 MB more memory, four more threads and 3–5% more CPU per relayed call
 * (docs/decisions.md, 2026-11-27). esbuild's service process is stopped once the bundle is built.
 * The bundle is built afresh on every start (about 0.1 s) next to the gateway's own dependencies,
 * with a source map so that stack traces name the TypeScript files.
 *
 *   node gateway/src/run-bundled.mjs <main|connect> [arguments of the entry point…]
 */
import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, stop } from "esbuild";
import { BUNDLE_OPTIONS } from "../image/bundle-options.mjs";

const ENTRIES = {
  main: fileURLToPath(new URL("./main.ts", import.meta.url)),
  connect: fileURLToPath(new URL("./connect/main.ts", import.meta.url)),
};
// Inside the gateway's package, so that the bundle resolves packages at run time (the default
// MCP server's path) from where the sources would.
const OUT_DIR = fileURLToPath(new URL("../node_modules/.cache/mcpbox-run/", import.meta.url));

const [name, ...rest] = process.argv.slice(2);
const entry = name === undefined ? undefined : ENTRIES[name];
if (entry === undefined) {
  process.stderr.write(`usage: node gateway/src/run-bundled.mjs <${Object.keys(ENTRIES).join("|")}> [arguments…]\n`);
  process.exit(2);
}

await mkdir(OUT_DIR, { recursive: true });
const out = join(OUT_DIR, `${name}.mjs`);
// Built under a name of its own and renamed into place: two starts at once never read half a file.
const partial = join(OUT_DIR, `${name}.${process.pid}.mjs`);
await build({ ...BUNDLE_OPTIONS, entryPoints: [entry], outfile: partial, sourcemap: "inline" });
await stop();
await rename(partial, out);
process.setSourceMapsEnabled(true);
// The entry point reads its own arguments from process.argv, as when it is run directly.
process.argv = [process.argv[0], out, ...rest];
await import(pathToFileURL(out).href);
