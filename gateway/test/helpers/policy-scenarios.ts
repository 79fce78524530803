/**
 * The tool-policy scenarios every upstream kind must pass, run against server-everything through
 * the real gateway with a real policy file: each rule kind allowing and refusing, filtered and
 * full lists for two users at once, a mixed batch, read-only users, name edge cases, the audit.
 */
import { createHash } from "node:crypto";
import { GATEWAY_ENV, JSONRPC_ERROR } from "@mcpbox/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway } from "./gateway";
import type { TestGateway } from "./gateway";
import { connectClient } from "./mcp-client";
import { auditEntries, messagesOf, openRawSession, policyDir } from "./policy";
import type { PolicyDir, RawSession } from "./policy";
import { rawRequest } from "./raw-http";
import { openRawStream } from "./sse-stream";

/** server-everything's tools with `readOnlyHint: true` among those every session has. */
const READ_ONLY_TOOLS = [
  "echo",
  "get-annotated-message",
  "get-env",
  "get-resource-links",
  "get-resource-reference",
  "get-structured-content",
  "get-sum",
  "get-tiny-image",
  "trigger-long-running-operation",
];

export const SCENARIO_POLICY = `# The test policy: one rule of each kind.
default: deny
groups:
  team: [owner@example.com, "*@team.example"]
rules:
  - name: team-everything
    users: [team]
    allow: all
  - name: team-no-env
    users: [team]
    deny:
      tools: ["GET-ENV"]          # deny patterns also match other cases and look-alikes
  - name: partner-search
    users: [partner@example.com]
    allow:
      tools: ["echo", "get-s*"]
      prompts: ["simple-prompt"]
      resources: ["demo://resource/static/document/*"]
  - name: partner-no-sum
    users: [partner@example.com]
    deny:
      tools: [get-sum]
  - name: phone
    users: [phone@example.com]
    allow: read-only
`;

const FORBIDDEN = JSONRPC_ERROR.forbidden;

export function policyScenarios(upstreamEnv: () => Record<string, string>): void {
  let gateway: TestGateway;
  let policy: PolicyDir;
  const sessions = new Map<string, RawSession>();
  const session = async (email: string) => {
    let s = sessions.get(email);
    if (!s) sessions.set(email, (s = await openRawSession(gateway, email)));
    return s;
  };
  const toolNames = async (email: string) =>
    ((await (await session(email)).call("tools/list", {})).result?.tools as { name: string }[]).map((t) => t.name).sort();

  beforeAll(async () => {
    policy = await policyDir(SCENARIO_POLICY);
    gateway = await startTestGateway({ ...upstreamEnv(), [GATEWAY_ENV.policy]: policy.path });
  });
  afterAll(async () => {
    await gateway?.close();
    await policy?.remove();
  });

  describe("calls", () => {
    it("fails closed for a read-only user before the gateway has seen the tools' annotations", async () => {
      // Runs first: nobody has listed the tools through this gateway yet.
      const answer = await (await session("phone@example.com")).call("tools/call", { name: "echo", arguments: { message: "hi" } });
      expect(answer.error?.code).toBe(FORBIDDEN);
      expect(answer.error?.message).toContain('rule "phone"');
      expect(answer.error?.message).toContain('has not yet seen tool "echo" in a tools/list answer');
    });

    it("allows by a group rule and refuses by a deny that matches another case (deny wins)", async () => {
      const owner = await session("owner@example.com");
      const echo = await owner.call("tools/call", { name: "echo", arguments: { message: "team" } });
      expect(echo.result?.content).toEqual([{ type: "text", text: "Echo: team" }]);
      for (const name of ["get-env", "Get-Env", "ＧＥＴ-ＥＮＶ"]) {
        const refused = await owner.call("tools/call", { name, arguments: {} });
        expect(refused.error?.code).toBe(FORBIDDEN);
        expect(refused.error?.message).toContain(`rule "team-no-env" denies tool "${name}"`);
      }
      // The group's *@domain member is covered too.
      const member = await (await session("ann@team.example")).call("tools/call", { name: "get-sum", arguments: { a: 1, b: 2 } });
      expect(JSON.stringify(member.result)).toContain("3");
    });

    it("allows tools by exact name and glob, and refuses everything else for a user with allow rules", async () => {
      const partner = await session("partner@example.com");
      const echo = await partner.call("tools/call", { name: "echo", arguments: { message: "search" } });
      expect(echo.result?.content).toEqual([{ type: "text", text: "Echo: search" }]);
      const structured = await partner.call("tools/call", { name: "get-structured-content", arguments: { location: "New York" } });
      expect(structured.result?.structuredContent).toBeDefined();
      const sum = await partner.call("tools/call", { name: "get-sum", arguments: { a: 1, b: 2 } });
      expect(sum.error?.message).toContain('rule "partner-no-sum" denies tool "get-sum"');
      // Allow patterns are exact: case, a Cyrillic look-alike and a literal star do not match.
      for (const name of ["Echo", "ECHO", "\u0435cho", "get-tiny-image", "*"]) {
        const refused = await partner.call("tools/call", { name, arguments: { message: "x" } });
        expect(refused.error?.code).toBe(FORBIDDEN);
        expect(refused.error?.message).toContain(`no rule that applies to you allows tool "${name}"`);
      }
    });

    it("governs prompts and resources, including completions and traversal out of an allowed prefix", async () => {
      const partner = await session("partner@example.com");
      const prompt = await partner.call("prompts/get", { name: "simple-prompt" });
      expect(prompt.result?.messages).toBeDefined();
      const args = await partner.call("prompts/get", { name: "args-prompt", arguments: { city: "Paris" } });
      expect(args.error?.message).toContain('prompt "args-prompt"');
      const completion = await partner.call("completion/complete", {
        ref: { type: "ref/prompt", name: "completable-prompt" },
        argument: { name: "department", value: "E" },
      });
      expect(completion.error?.message).toContain('prompt "completable-prompt"');

      const list = await partner.call("resources/list", {});
      const uris = (list.result?.resources as { uri: string }[]).map((r) => r.uri);
      expect(uris.length).toBeGreaterThan(0);
      expect(uris.every((u) => u.startsWith("demo://resource/static/document/"))).toBe(true);
      const read = await partner.call("resources/read", { uri: uris[0] });
      expect(read.result?.contents).toBeDefined();
      for (const uri of [
        "demo://resource/dynamic/text/1",
        "demo://resource/static/document/../../dynamic/text/1",
        "demo://resource/static/document/%2e%2e/x",
      ]) {
        const refused = await partner.call("resources/read", { uri });
        expect(refused.error?.code).toBe(FORBIDDEN);
      }
    });

    it("answers a batch: allowed calls from the server, refused ones from the gateway, each under its own id", async () => {
      const partner = await session("partner@example.com");
      const { response, messages } = await partner.post([
        { jsonrpc: "2.0", id: "a", method: "tools/call", params: { name: "echo", arguments: { message: "in batch" } } },
        { jsonrpc: "2.0", id: "b", method: "tools/call", params: { name: "get-sum", arguments: { a: 1, b: 1 } } },
        { jsonrpc: "2.0", id: "c", method: "tools/list", params: {} },
        { jsonrpc: "2.0", id: "d", method: "prompts/get", params: { name: "args-prompt", arguments: { city: "Oslo" } } },
      ]);
      expect(response.status).toBe(200);
      // The server streams its answers: the list is filtered inside the SSE stream.
      expect(response.headers["content-type"]).toContain("text/event-stream");
      const byId = new Map(messages.map((m) => [m.id, m]));
      expect(byId.get("a")?.result?.content).toEqual([{ type: "text", text: "Echo: in batch" }]);
      expect(byId.get("b")?.error?.message).toContain('rule "partner-no-sum"');
      expect((byId.get("c")?.result?.tools as { name: string }[]).map((t) => t.name).sort()).toEqual(["echo", "get-structured-content"]);
      expect(byId.get("d")?.error?.message).toContain('rule "partner-search"');
      expect(messages).toHaveLength(4);
    });

    it("refuses a whole batch of refused calls without reaching the server", async () => {
      const stranger = await session("stranger@elsewhere.example");
      const { response, messages } = await stranger.post([
        { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "x" } } },
        { jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "demo://resource/static/document/architecture.md" } },
      ]);
      expect(response.status).toBe(200);
      expect(messages.map((m) => [m.id, m.error?.code])).toEqual([
        [1, FORBIDDEN],
        [2, FORBIDDEN],
      ]);
      expect(messages[0]?.error?.message).toContain('(rule "default"): the policy\'s default denies tool "echo"');
    });
  });

  describe("sessions", () => {
    it("keeps a session to the user who opened it: another user's call or list in it gets 404, not a policy answer", async () => {
      const partner = await session("partner@example.com");
      const stranger = { ...partner.headers, ...gateway.headers("stranger@elsewhere.example") };
      for (const body of [
        { jsonrpc: "2.0", id: 70, method: "tools/call", params: { name: "echo", arguments: { message: "not mine" } } },
        { jsonrpc: "2.0", id: 71, method: "tools/list", params: {} },
      ]) {
        const response = await rawRequest({ port: gateway.port, method: "POST", headers: stranger, body: JSON.stringify(body) });
        expect(response.status).toBe(404);
        expect(messagesOf(response).map((m) => m.error?.code)).toEqual([JSONRPC_ERROR.sessionNotFound]);
      }
      const strangers = auditEntries(gateway).filter((e) => e.email === "stranger@elsewhere.example" && e.error === "session_not_found");
      expect(strangers.map((e) => e.decision)).toEqual([undefined, undefined]);
      // The owner's session goes on, filtered for its owner.
      const tools = (await partner.call("tools/list", {})).result?.tools as { name: string }[];
      expect(tools.map((t) => t.name).sort()).toEqual(["echo", "get-structured-content"]);
    });
  });

  describe("lists", () => {
    it("shows each of two users, at the same time on the same server, only what they may use", async () => {
      const [owner, partner] = await Promise.all([
        connectClient(gateway.url, gateway.headers("owner@example.com")),
        connectClient(gateway.url, gateway.headers("partner@example.com")),
      ]);
      const [full, filtered] = await Promise.all([owner.client.listTools(), partner.client.listTools()]);
      const ownerNames = full.tools.map((t) => t.name);
      expect(ownerNames).toEqual(expect.arrayContaining(["echo", "get-sum", "get-tiny-image", "toggle-simulated-logging"]));
      expect(ownerNames).not.toContain("get-env");
      expect(filtered.tools.map((t) => t.name).sort()).toEqual(["echo", "get-structured-content"]);
      const prompts = await partner.client.listPrompts();
      expect(prompts.prompts.map((p) => p.name)).toEqual(["simple-prompt"]);
      expect((await owner.client.listPrompts()).prompts.length).toBeGreaterThan(1);
      const templates = await partner.client.listResourceTemplates();
      expect(templates.resourceTemplates).toEqual([]);
      await Promise.all([owner.client.close(), partner.client.close()]);
    });

    it("shows a read-only user only tools marked readOnlyHint: true, and refuses those marked otherwise", async () => {
      expect(await toolNames("phone@example.com")).toEqual(READ_ONLY_TOOLS);
      const phone = await session("phone@example.com");
      const echo = await phone.call("tools/call", { name: "echo", arguments: { message: "from my phone" } });
      expect(echo.result?.content).toEqual([{ type: "text", text: "Echo: from my phone" }]);
      for (const name of ["gzip-file-as-resource", "toggle-simulated-logging"]) {
        const refused = await phone.call("tools/call", { name, arguments: {} });
        expect(refused.error?.message).toContain(
          `rule "phone" allows only read-only tools, and tool "${name}" is not marked readOnlyHint: true`,
        );
      }
    });

    it("shows a user no rule allows anything an empty list", async () => {
      expect(await toolNames("stranger@elsewhere.example")).toEqual([]);
    });

    it("lets list_changed notifications through to a restricted user", async () => {
      const member = await openRawSession(gateway, "ann@team.example");
      // The server-to-client stream, open before the change (an HTTP server sends unrelated notifications there).
      const stream = await openRawStream({
        port: gateway.port,
        method: "GET",
        headers: { ...member.headers, accept: "text/event-stream" },
      });
      // A list in the same body: this answer stream is parsed by the gateway's filter.
      const { messages } = await member.post([
        {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "gzip-file-as-resource", arguments: { name: "note.gz", data: "data:text/plain;base64,aGVsbG8=" } },
        },
        { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} },
      ]);
      expect(messages.find((m) => m.id === 1)?.result?.isError).toBeFalsy();
      expect((messages.find((m) => m.id === 2)?.result?.tools as { name: string }[]).map((t) => t.name)).not.toContain("get-env");
      const LIST_CHANGED = "notifications/resources/list_changed";
      // A stdio server's notification rides the open request's stream; an HTTP server's, the GET stream.
      if (!messages.some((m) => m.method === LIST_CHANGED)) await stream.waitFor((text) => text.includes(LIST_CHANGED));
      stream.close();
    });
  });

  describe("audit", () => {
    it("records the decision and the rule of refused and filtered calls, and nothing extra for allowed ones", async () => {
      await gateway.waitForAudit(1);
      const entries = auditEntries(gateway);
      const refused = entries.find((e) => e.email === "partner@example.com" && e.tool === "get-sum" && e.decision === "refused");
      expect(refused).toMatchObject({ rule: "partner-no-sum", error: "policy_denied", status: 200 });
      // The session appears as its digest, beside the decision; never in clear.
      const partnerSession = (await session("partner@example.com")).id;
      expect(refused?.session).toBe(createHash("sha256").update(partnerSession).digest("hex").slice(0, 16));
      expect(gateway.auditLines.some((line) => line.includes(partnerSession))).toBe(false);
      const filtered = entries.find((e) => e.email === "partner@example.com" && e.method === "tools/list" && e.decision === "filtered");
      expect(String(filtered?.rule).split(",")).toEqual(expect.arrayContaining(["partner-search", "partner-no-sum"]));
      const allowed = entries.find((e) => e.email === "owner@example.com" && e.tool === "echo");
      expect(allowed).toBeDefined();
      expect(allowed).not.toHaveProperty("decision");
    });
  });
}
