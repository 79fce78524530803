/**
 * The MCP server put behind the gateway when none is configured (`npm start`, `npm run connect`):
 * `@modelcontextprotocol/server-everything` over stdio, started from node_modules with this Node
 * (never through npx at run time, so it needs no network and no download).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { joinCommandLine } from "./command-line";

const require = createRequire(import.meta.url);
const EVERYTHING_PACKAGE = "@modelcontextprotocol/server-everything";

/** Absolute path of server-everything's executable script, from its package.json `bin`. */
export function everythingEntry(): string {
  const manifestPath = require.resolve(`${EVERYTHING_PACKAGE}/package.json`);
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
  const bin = (manifest as { bin?: unknown }).bin;
  const relative = typeof bin === "string" ? bin : typeof bin === "object" && bin !== null ? Object.values(bin)[0] : undefined;
  if (typeof relative !== "string") throw new Error(`${EVERYTHING_PACKAGE} declares no executable`);
  return path.join(path.dirname(manifestPath), relative);
}

/** `MCP_UPSTREAM_COMMAND` running server-everything over stdio with the current Node. */
export function defaultUpstreamCommand(): string {
  return joinCommandLine([process.execPath, everythingEntry(), "stdio"]);
}
