/**
 * Names the setup derives from the Worker's name, so that a re-run, `teardown` and the check for
 * taken names before step 1 writes anything all look for the same resources.
 */
import { WORKER_BINDINGS } from "@mcpbox/shared";

/** The KV title (OAUTH_KV): derived from the Worker name, so two installs never share grants. */
export function kvTitleFor(workerName: string): string {
  return `${workerName}-${WORKER_BINDINGS.oauthKv}`;
}

/** Name of the Access policy on the Worker's Access application that allows the `--allow` rule. */
export function accessPolicyNameFor(workerName: string): string {
  return `${workerName}-allow`;
}
