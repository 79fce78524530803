/**
 * @mcpbox/provisioner — the six-step Cloudflare setup for MCPbox Remote as a library: setup,
 * status, doctor, secrets sync, service-token rotation, teardown and OAuth grants, plus the typed Cloudflare
 * client they are built on. The CLI (src/cli.ts) is a thin layer over these functions.
 */
export { runSetup, SETUP_STEPS } from "./commands/setup";
export type { SetupResult } from "./commands/setup";
export { runStatus } from "./commands/status";
export type { StatusResult, StatusRow } from "./commands/status";
export { runDoctor } from "./commands/doctor";
export type { DoctorResult, Finding } from "./commands/doctor";
export { runSecretsSync } from "./commands/secrets-sync";
export type { SecretsSyncResult } from "./commands/secrets-sync";
export { runRotateServiceToken } from "./commands/rotate";
export type { RotateOptions, RotateResult } from "./commands/rotate";
export { runTeardown } from "./commands/teardown";
export type { TeardownResult } from "./commands/teardown";
export { runGrantsList, runGrantsRevoke } from "./grants/commands";
export type { GrantSource, GrantsListResult, GrantsRevokeResult, RevokeOptions } from "./grants/commands";
export { listGrants, revokeGrants } from "./grants/grants";
export type { GrantFilter, GrantSelector, GrantSummary, RevokeResult } from "./grants/grants";
export type { KvStore, KvStoreSource } from "./grants/kv-store";
export { cloudflareKvStore } from "./grants/store-cloudflare";
export { localStackDir, openLocalKvStore } from "./grants/store-local";
export type { ProvisionOptions, RunDeps } from "./run/context";
export { createReporter, silentReporter } from "./run/reporter";
export type { Reporter } from "./run/reporter";
export { nonInteractivePrompter } from "./run/prompt";
export type { Prompter } from "./run/prompt";
export { createWranglerBundler } from "./bundle/wrangler-bundle";
export type { Bundler, WorkerBundle } from "./bundle/wrangler-bundle";
export { CloudflareClient } from "./cloudflare/client";
export { CloudflareApiError } from "./cloudflare/errors";
export { PERMISSIONS, ALL_PERMISSIONS } from "./cloudflare/permissions";
export { parseAllowFlag } from "./allow";
export type { AllowRule, ProvisionState } from "./state/state";
export {
  AccountChoiceError,
  AdoptionRequiredError,
  BundleError,
  InterruptedError,
  NotSetUpError,
  PermissionsMissingError,
  PrerequisiteError,
  ProvisionerError,
  StateError,
  UsageError,
  VerifyError,
} from "./errors";
export { main } from "./cli/main";
export type { CliIo } from "./cli/main";
