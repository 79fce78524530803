/**
 * The tool policy in front of server-everything as a stdio command (one child per session, the
 * SDK's transport answering in SSE): every scenario of helpers/policy-scenarios.ts.
 */
import { GATEWAY_ENV } from "@mcpbox/shared";
import { describe } from "vitest";
import { policyScenarios } from "./helpers/policy-scenarios";
import { everythingStdioCommand } from "./helpers/processes";

describe("tool policy, stdio upstream", () => {
  policyScenarios(() => ({ [GATEWAY_ENV.upstreamCommand]: everythingStdioCommand() }));
});
