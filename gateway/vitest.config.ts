import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "gateway",
    include: ["test/**/*.test.ts"],
    // Real child processes (server-everything, stdio sessions) start in a few hundred ms each.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
