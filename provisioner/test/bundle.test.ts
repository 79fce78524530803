/**
 * The real bundle, once per test run: wrangler's dry-run build of the repository's wrangler.toml
 * (the Worker in worker/), uploaded through setup to the fake API, which checks the multipart
 * request. The uploaded module must be byte for byte what wrangler produced.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ACCESS_RECHECK_SECONDS,
  DEFAULT_GRANT_MAX_AGE_SECONDS,
  DEFAULT_REFRESH_TOKEN_IDLE_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
} from "@mcpbox/shared";
import { createWranglerBundler, REPO_ROOT, type WorkerBundle } from "../src/bundle/wrangler-bundle";
import { readWranglerSettings } from "../src/bundle/wrangler-config";
import { runSetup } from "../src/commands/setup";
import { BundleError } from "../src/errors";
import { createHarness, type Harness } from "./helpers/harness";

let bundle: WorkerBundle;
let h: Harness;

beforeAll(async () => {
  // Only PATH and HOME: wrangler gets no Cloudflare credentials.
  bundle = await createWranglerBundler({ env: { PATH: process.env.PATH, HOME: process.env.HOME } })();
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe("wrangler bundle of worker/", () => {
  it("is one ES module plus the compatibility settings of wrangler.toml", async () => {
    const settings = readWranglerSettings(await readFile(path.join(REPO_ROOT, "wrangler.toml"), "utf8"));
    expect(bundle.mainModule).toBe("index.js");
    expect(bundle.modules.map((m) => m.contentType)).toEqual(
      bundle.modules.map(() => expect.stringMatching(/^application\/(javascript\+module|wasm)$|^text\/plain$/)),
    );
    const main = new TextDecoder().decode(bundle.modules.find((m) => m.name === "index.js")?.content);
    expect(main).toMatch(/\bexport\s*\{[^}]*\bas default\b/);
    // Bundled: no bare TypeScript imports of the workspace left.
    expect(main).not.toMatch(/from\s+["']@mcpbox\/shared["']/);
    expect(bundle.compatibilityDate).toBe(settings.compatibilityDate);
    expect(bundle.compatibilityFlags).toEqual(settings.compatibilityFlags);
    expect(bundle.modules.some((m) => m.name.endsWith(".map"))).toBe(false);
  });

  it("is uploaded unchanged, and the fake API accepts the request", async () => {
    await runSetup(h.options, { ...h.deps, bundler: async () => bundle });
    const script = h.account.scripts.get("mcpbox-proxy");
    expect(script?.metadata.main_module).toBe("index.js");
    expect(script?.metadata.compatibility_date).toBe(bundle.compatibilityDate);
    for (const module of bundle.modules) {
      expect(Buffer.from(script?.modules.get(module.name)?.content ?? []).equals(Buffer.from(module.content))).toBe(true);
    }
    // wrangler.toml's [vars], the grant lifetimes and the Access re-check among them, as plain text.
    expect(script?.metadata.bindings).toEqual(
      expect.arrayContaining(
        ["REFRESH_TOKEN_TTL_SECONDS", "REFRESH_TOKEN_IDLE_SECONDS", "GRANT_MAX_AGE_SECONDS", "ACCESS_RECHECK_SECONDS"].map((name) => ({
          type: "plain_text",
          name,
          text: bundle.vars[name] ?? "missing from wrangler.toml",
        })),
      ),
    );
    // wrangler.toml states the Worker's own defaults.
    expect(bundle.vars).toMatchObject({
      REFRESH_TOKEN_TTL_SECONDS: String(DEFAULT_REFRESH_TOKEN_TTL_SECONDS),
      REFRESH_TOKEN_IDLE_SECONDS: String(DEFAULT_REFRESH_TOKEN_IDLE_SECONDS),
      GRANT_MAX_AGE_SECONDS: String(DEFAULT_GRANT_MAX_AGE_SECONDS),
      ACCESS_RECHECK_SECONDS: String(DEFAULT_ACCESS_RECHECK_SECONDS),
    });
    expect(h.fake.internalErrors).toEqual([]);
  });

  it("reports a missing wrangler.toml as a BundleError with a next step", async () => {
    const error = await createWranglerBundler({ configPath: path.join(h.dir, "nope.toml") })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).hint).toMatch(/wrangler\.toml/);
  });
});
