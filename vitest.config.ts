import { defineConfig } from "vitest/config";
// Vitest 4 ignores vitest.workspace.ts on its own, so the project list is imported here.
import projects from "./vitest.workspace.ts";

export default defineConfig({
  test: {
    projects,
  },
});
