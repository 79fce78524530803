/**
 * @mcpbox/provisioner — the six-step Cloudflare setup for MCPbox Remote as a library: setup,
 * status, doctor, secrets sync, service-token rotation, teardown and OAuth grants, plus the typed
 * Cloudflare client they are built on. Two thin faces use exactly these functions: the CLI
 * (src/cli/) and the Remote Access page (src/web/, `npm run wizard`).
 */
export { runSetup, SETUP_STEPS } from "./commands/setup";
export type { AccountChecks, SetupResult } from "./commands/setup";
export { runStatus } from "./commands/status";
export type { StatusResult, StatusRow } from "./commands/status";
export { DOCTOR_AREAS, runDoctor } from "./commands/doctor";
export type { DoctorArea, DoctorResult, Finding } from "./commands/doctor";
export { runSecretsSync } from "./commands/secrets-sync";
export type { SecretsSyncResult } from "./commands/secrets-sync";
export { runRotateServiceToken } from "./commands/rotate";
export type { RotateOptions, RotateResult } from "./commands/rotate";
export { runTeardown } from "./commands/teardown";
export type { TeardownResult } from "./commands/teardown";
export { REVOKE_ALL_CONFIRMATION, runGrantsList, runGrantsRevoke } from "./grants/commands";
export type { GrantSource, GrantsListResult, GrantsRevokeResult, RevokeOptions } from "./grants/commands";
export { listGrants, revokeGrants } from "./grants/grants";
export type { GrantFilter, GrantSelector, GrantSummary, RevokeResult } from "./grants/grants";
export type { KvStore, KvStoreSource } from "./grants/kv-store";
export { displaySafe, grantLabel, grantsByClient, grantsByPerson, personLabel, remainingGrants, reportRevoke } from "./grants/present";
export type { ClientGrants, PersonGrants, RevokeReport } from "./grants/present";
export { checkGrantCriterion, selectorOf } from "./grants/selector";
export type { GrantCriterion } from "./grants/selector";
export { cloudflareKvStore } from "./grants/store-cloudflare";
export { localStackDir, openLocalKvStore } from "./grants/store-local";
export type { ProvisionOptions, RunDeps } from "./run/context";
export { createReporter, silentReporter } from "./run/reporter";
export type { Reporter } from "./run/reporter";
export { createEventReporter } from "./run/progress-events";
export type { ProgressEvent } from "./run/progress-events";
export { nonInteractivePrompter } from "./run/prompt";
export type { ConfirmDetails, Prompter } from "./run/prompt";
export { describeError } from "./run/error-report";
export type { ErrorReport } from "./run/error-report";
export { checkInput, checkPort, INPUT_RULES } from "./inputs";
export type { InputCheck, InputRule } from "./inputs";
export { tokenChecklist } from "./token-checklist";
export type { ChecklistItem, CheckState, TokenOutcome } from "./token-checklist";
export { clientConfigs, mcpUrlOf } from "./connect";
export type { ClientConfigs } from "./connect";
export { homeSideWays } from "./home-side";
export type { HomeSideWay } from "./home-side";
export { completedSteps, isSetUp } from "./state/progress";
export { loadState } from "./state/files";
export { loadConfig } from "./config";
export type { ProvisionerConfig } from "./config";
export { createWranglerBundler } from "./bundle/wrangler-bundle";
export type { Bundler, WorkerBundle } from "./bundle/wrangler-bundle";
export { CloudflareClient } from "./cloudflare/client";
export { CloudflareApiError } from "./cloudflare/errors";
export { PERMISSIONS, ALL_PERMISSIONS, API_TOKENS_URL } from "./cloudflare/permissions";
export { ALLOW_KINDS, checkAllow, describeAllow, parseAllowFlag } from "./allow";
export type { AllowCheck, AllowKind } from "./allow";
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
export { startWizardServer } from "./web/server";
export type { WizardHandle } from "./web/server";
export { loadWizardConfig } from "./web/config";
export type { CliIo } from "./cli/main";
