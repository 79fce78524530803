/**
 * Vitest global setup for the dev project: bundles the Worker once (`wrangler deploy --dry-run`,
 * as a deploy would) and hands its location to every test file, so each end-to-end stack starts
 * from the same production bundle without rebuilding it.
 */
import { rm } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { buildWorkerBundle } from "../../src/worker-miniflare";

declare module "vitest" {
  export interface ProvidedContext {
    workerBundleEntry: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bundle = await buildWorkerBundle();
  project.provide("workerBundleEntry", bundle.entry);
  return () => rm(bundle.dir, { recursive: true, force: true });
}
