/**
 * How far a setup has come, read from the state alone: the number of setup steps whose result the
 * state records. Interfaces use it to resume at the right step after an interruption or a restart.
 */
import type { ProvisionState } from "./state";

/** Setup steps whose work is recorded (0-5); step 6 (connect) creates nothing. */
export function completedSteps(state: ProvisionState): number {
  if (!state.accountId) return 0;
  if (!state.tunnel) return 1;
  if (!state.vpcService) return 2;
  if (!state.kvNamespace || !state.worker?.deployedFingerprint || !state.worker.url) return 3;
  if (!state.access || !state.allow || !state.secrets?.pushedFingerprint) return 4;
  return 5;
}

/** True when every resource setup creates is recorded, so status and the other commands apply. */
export function isSetUp(state: ProvisionState): boolean {
  return completedSteps(state) === 5;
}
