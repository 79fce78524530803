/**
 * The dev project: the development IdP's tests, unit tests of the local stack, and the end-to-end
 * tests (`*.e2e.test.ts`) that start the whole path in-process — IdP, gateway, Worker in Miniflare —
 * with real MCP clients and a real headless Chromium. The Worker is bundled once per run.
 */
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "dev",
    include: ["test/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end files mostly wait on their servers (one waits out an access token's lifetime):
    // run a few at once even on a 2-core machine. Vitest requires a project with its own
    // maxWorkers to run as its own group: after the other projects, so whole stacks and
    // Chromium do not compete with the workerd pool for the CPU.
    maxWorkers: 3,
    sequence: { groupOrder: 1 },
  },
});
