/**
 * The worker test project: tests run inside workerd (@cloudflare/vitest-plugin) against the
 * real OAuth library, with a real OpenID Provider and a recording gateway stand-in started by the
 * global setup in Node. Runtime settings come from wrangler.toml; MCPBOX_TUNNEL (vpc_services has
 * no local simulator) is a service binding to the stand-in.
 */
import { randomBytes } from "node:crypto";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineProject } from "vitest/config";
// Vitest bundles this file and leaves package imports to Node, which strips the types of a .ts
// file but resolves no extensionless import: @mcpbox/dev/wrangler-settings imports no workspace
// module, so Node loads it as it is; @mcpbox/shared's index would not load, hence its one file here.
import { readWorkerSettings } from "@mcpbox/dev/wrangler-settings";
import { WORKER_BINDINGS } from "../shared/src/names.ts";
import { TEST_EXTRA_CORS_ORIGIN, TEST_SERVICE_TOKEN, type HarnessInfo } from "./test/helpers/harness-info.ts";

const settings = readWorkerSettings();
const cookieKey = randomBytes(32).toString("hex");

export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => {
      const harness = inject<HarnessInfo>("harness");
      return {
        main: "./src/index.ts",
        remoteBindings: false,
        miniflare: {
          compatibilityDate: settings.compatibilityDate,
          compatibilityFlags: settings.compatibilityFlags,
          kvNamespaces: [WORKER_BINDINGS.oauthKv],
          ratelimits: settings.ratelimits,
          bindings: {
            ...settings.vars,
            CORS_ORIGINS: TEST_EXTRA_CORS_ORIGIN,
            MCPBOX_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
            ACCESS_CLIENT_ID: harness.idp.clientId,
            ACCESS_CLIENT_SECRET: harness.idp.clientSecret,
            ACCESS_AUTHORIZATION_URL: harness.idp.authorizationUrl,
            ACCESS_TOKEN_URL: harness.idp.tokenUrl,
            ACCESS_JWKS_URL: harness.idp.jwksUrl,
            COOKIE_ENCRYPTION_KEY: cookieKey,
          },
          serviceBindings: {
            [WORKER_BINDINGS.tunnel]: { external: { address: `127.0.0.1:${harness.standinPort}`, http: {} } },
          },
        },
      };
    }),
  ],
  test: {
    name: "worker",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/helpers/node/global-setup.ts"],
    testTimeout: 20_000,
  },
});
