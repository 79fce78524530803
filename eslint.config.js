// Lint configuration for every package: typescript-eslint's recommended rules on TS sources.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.wrangler/**",
      "test-artifacts/**",
      "worker/worker-configuration.d.ts",
      "dev/fixtures/*/worker-configuration.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  {
    // The wizard page's one browser script (no bundler): browser globals only.
    files: ["provisioner/src/web/assets/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: { document: "readonly", window: "readonly", navigator: "readonly", EventSource: "readonly", setTimeout: "readonly" },
    },
  },
  {
    // The gateway's plain JavaScript for Node (the runner under plain node, module hooks in tests).
    files: ["gateway/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", URL: "readonly" } },
  },
  {
    files: ["shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*"], message: "shared/ is runtime-neutral" }] }],
    },
  },
  {
    // @mcpbox/dev/test-kit runs inside workerd too (the worker tests import it): fetch and Web Crypto only.
    files: ["dev/src/test-kit/*.ts", "dev/src/idp/accounts.ts", "dev/src/idp/login-form.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "./node", "./node/*"],
              message: "the test kit's entry is runtime-neutral: Node-only helpers go in dev/src/test-kit/node/",
            },
          ],
        },
      ],
    },
  },
);
