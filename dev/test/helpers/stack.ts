/**
 * Starts the same stack as `npm start` for one test file: ports chosen at run time, a temporary
 * state folder and `.dev.vars`, the Worker bundle built once by the global setup, every log and
 * audit line kept in memory. Also the two networks a scripted browser needs to reach it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import type { WorkerSecretName } from "@mcpbox/shared";
import { DEV_STACK_ENV, loadStackConfig, formatLogLine, startStack, type RunningStack } from "../../src/stack";
import type { FlowNetwork } from "../../src/test-kit";

export interface TestStack extends RunningStack {
  /** Every `[component] message` line so far (for assertions and for reading after a failure). */
  readonly logLines: string[];
  readonly auditLines: string[];
  /** The temporary folder holding `.dev.vars` and the persisted KV. */
  readonly stateRoot: string;
  /** The Worker reached over real HTTP, for the scripted browser and flow helpers. */
  network(): FlowNetwork;
  /** Stops the stack and, unless `keepState`, deletes its state folder. */
  close(options?: { keepState?: boolean }): Promise<void>;
}

export interface TestStackOptions {
  /** Extra environment, as `npm start` would read it (gateway and Worker variables). */
  env?: Record<string, string>;
  /** Reuse a state folder from an earlier stack (restart tests). */
  stateRoot?: string;
  workerSecretOverrides?: Partial<Record<WorkerSecretName, string>>;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const stateRoot = options.stateRoot ?? (await mkdtemp(path.join(os.tmpdir(), "mcpbox-e2e-")));
  const config = loadStackConfig({
    [DEV_STACK_ENV.workerPort]: "0",
    [DEV_STACK_ENV.idpPort]: "0",
    [DEV_STACK_ENV.gatewayPort]: "0",
    [DEV_STACK_ENV.stateDir]: path.join(stateRoot, "state"),
    [DEV_STACK_ENV.devVarsFile]: path.join(stateRoot, ".dev.vars"),
    ...options.env,
  });
  const logLines: string[] = [];
  const auditLines: string[] = [];
  let stack: RunningStack;
  try {
    stack = await startStack(config, {
      bundle: { entry: inject("workerBundleEntry") },
      log: (component, level, message) => logLines.push(formatLogLine(component, level, message)),
      auditSink: (line) => auditLines.push(line.trimEnd()),
      ...(options.workerSecretOverrides ? { workerSecretOverrides: options.workerSecretOverrides } : {}),
    });
  } catch (error) {
    if (!options.stateRoot) await rm(stateRoot, { recursive: true, force: true });
    throw error;
  }
  return {
    ...stack,
    logLines,
    auditLines,
    stateRoot,
    network: () => ({ workerOrigin: stack.urls.worker, worker: (request) => fetch(request) }),
    async close(closeOptions = {}) {
      await stack.stop();
      if (!closeOptions.keepState) await rm(stateRoot, { recursive: true, force: true });
    },
  };
}
