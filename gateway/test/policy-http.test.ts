/**
 * The tool policy in front of server-everything over Streamable HTTP (SSE answers): every
 * scenario of helpers/policy-scenarios.ts, all real processes.
 */
import { GATEWAY_ENV } from "@mcpbox/shared";
import { afterAll, beforeAll, describe } from "vitest";
import { policyScenarios } from "./helpers/policy-scenarios";
import { startEverythingHttp } from "./helpers/processes";
import type { RunningServer } from "./helpers/processes";

let upstream: RunningServer;
beforeAll(async () => {
  upstream = await startEverythingHttp();
});
afterAll(async () => {
  await upstream?.close();
});

describe("tool policy, Streamable HTTP upstream", () => {
  policyScenarios(() => ({ [GATEWAY_ENV.upstreamUrl]: upstream.url }));
});
