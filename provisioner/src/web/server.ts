/**
 * Serves the wizard on 127.0.0.1 only (port 0 picks a free one, for tests) and returns its
 * one-time launch link. A port already in use rejects with the listen error for main to explain.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createWizardApp } from "./app";
import { WIZARD_BIND_HOST } from "./config";
import type { WizardSettings } from "./operations";
import { LAUNCH_PARAM, newSecret } from "./security/sessions";

export interface WizardHandle {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** The URL with the one-time launch secret: print it, never log it elsewhere. */
  readonly launchUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startWizardServer(options: { settings: WizardSettings; port: number; launchSecret?: string }): Promise<WizardHandle> {
  const launchSecret = options.launchSecret ?? newSecret();
  let port = options.port;
  const app = createWizardApp({ settings: options.settings, port: () => port, launchSecret });
  const server: Server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, WIZARD_BIND_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${WIZARD_BIND_HOST}:${port}/`;
  return {
    url,
    launchUrl: `${url}?${LAUNCH_PARAM}=${launchSecret}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
