/**
 * `npm start`: the whole remote-access path on this machine (development IdP, gateway, Worker in
 * Miniflare), configured from the environment, with a ready line per component and the URL to
 * connect MCP clients to. Wiring only: the parts live in ./stack/.
 */
import { loadStackConfig, StackError, consoleStackLog, handleShutdown, startStack, connectInstructions } from "./stack";

const log = consoleStackLog;
const shutdown = handleShutdown(log, (code) => process.exit(code));

try {
  const config = loadStackConfig(process.env);
  const stack = await startStack(config, { log });
  if (!shutdown.requested) process.stdout.write(`${connectInstructions(stack.urls, stack.timings.readyMs)}\n`);
  shutdown.started(stack);
} catch (error) {
  if (error instanceof StackError) log("stack", "error", error.message);
  else log("stack", "error", `cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
