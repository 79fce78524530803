/**
 * `@mcpbox/dev/test-kit/node`: Node-only helpers for tests and benchmarks of every package. The
 * process table (Linux /proc), loopback ports chosen at run time, and the benchmark report that
 * writes docs/benchmarks.md. Headless Chromium has its own entry, `@mcpbox/dev/test-kit/chromium`,
 * so that importing these does not load playwright-core.
 */
export { childPids, commandLineOf, descendants, isRunning, processExists, processGroupOf, processTree, statFields } from "./processes";
export { freePort, occupyPort } from "./ports";
export type { OccupiedPort } from "./ports";
export { BENCHMARKS_FILE, machineSummary, percentile, writeBenchSection } from "./bench-report";
