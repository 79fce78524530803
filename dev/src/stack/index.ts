/**
 * `@mcpbox/dev/stack`: the local stack that `npm start` runs (development IdP, gateway, Worker in
 * Miniflare on 127.0.0.1), for `npm start` itself and for the end-to-end tests and benchmarks
 * that start it in-process: its configuration from the environment, the stack, its log, its
 * shutdown on signals, and the Worker secrets it generates.
 */
export { DEV_STACK_ENV, loadStackConfig } from "./config";
export { startStack } from "./stack";
export type { RunningStack } from "./stack";
export { workerCallbackUris } from "./components";
export { workerSecrets } from "./dev-vars";
export { StackError } from "./errors";
export { consoleStackLog, formatLogLine, silentStackLog } from "./log";
export { handleShutdown } from "./shutdown";
export { connectInstructions } from "./summary";
