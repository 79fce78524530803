/**
 * The Remote Access wizard for tests: the real server on 127.0.0.1 (port 0) over the fake
 * Cloudflare API, configured as `npm run wizard --state <file>` configures it (the env file is the
 * CLI's default next to the state, the repository root is this repository, which offers both
 * home-side ways), with the harness's fast dependencies; raw HTTP for the guard tests (custom Host
 * and Origin headers), and a signed-in Chromium page.
 */
import { request } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PROVISIONER_ENV } from "@mcpbox/shared";
import { loadWizardConfig } from "../../src/web/config";
import { startWizardServer, type WizardHandle } from "../../src/web/server";
import type { WizardSettings } from "../../src/web/operations";
import { createHarness, type Harness } from "./harness";

export interface WizardHarness {
  h: Harness;
  settings: WizardSettings;
  wizard: WizardHandle;
  /** Stops the server and starts a new one on the same state (a restart of `npm run wizard`). */
  restart(): Promise<WizardHandle>;
  close(): Promise<void>;
}

export async function startWizardHarness(): Promise<WizardHarness> {
  const h = await createHarness();
  const { reporter: _reporter, ...deps } = h.deps;
  const { settings: configured } = loadWizardConfig({ [PROVISIONER_ENV.apiBaseUrl]: h.fake.baseUrl }, ["--state", h.statePath]);
  const settings: WizardSettings = { ...configured, childEnv: {}, deps };
  // The CLI runs of these tests (runSetup with h.options) use the same, default, env file.
  h.envFile = settings.envFile;
  delete h.options.envFile;
  const harness: WizardHarness = {
    h,
    settings,
    wizard: await startWizardServer({ settings, port: 0 }),
    restart: async () => {
      await harness.wizard.close();
      harness.wizard = await startWizardServer({ settings, port: 0 });
      return harness.wizard;
    },
    close: async () => {
      await harness.wizard.close();
      await h.close();
    },
  };
  return harness;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test forge Host). */
export function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A fresh browser context that opened the launch link (so it holds the session cookie). */
export async function openWizard(browser: Browser, wizard: WizardHandle): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await page.goto(wizard.launchUrl);
  return { context, page };
}
