/**
 * Starts the gateway with the configuration in the environment and prints, as a JSON array, the
 * npm packages it loaded by the time it was ready. Run in a process of its own:
 *
 *   node --import tsx gateway/test/helpers/loaded-packages.ts
 */
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";

const { port1, port2 } = new MessageChannel();
const urls = new Set<string>();
port1.on("message", (url: string) => urls.add(url));
register(new URL("./module-log-hooks.mjs", import.meta.url), { data: { port: port2 }, transferList: [port2] });

// Imported only now, so that the hooks see the gateway's own imports too.
const { loadConfig, startGateway } = await import("../../src/index");
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const gateway = await startGateway(loadConfig(process.env), { log: quiet });
// The hooks run on a thread of their own: let their last messages arrive.
await new Promise((resolve) => setTimeout(resolve, 200));
const packages = new Set<string>();
for (const url of urls) {
  const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (name) packages.add(name);
}
process.stdout.write(`${JSON.stringify([...packages].sort())}\n`);
port1.close();
await gateway.close();
