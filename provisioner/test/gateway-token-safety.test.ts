/**
 * The service token leaves this machine only for the gateway: `doctor` and `rotate-service-token`
 * probe the gateway with it over plain HTTP, so they send it only to loopback, or to the URL the
 * user named with --gateway-url, and never follow a redirect. The attacks: a name such as
 * `mcp-gateway` answered by someone else, and a server on the gateway's port that redirects.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "@mcpbox/dev/test-kit/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli/args";
import { runDoctor } from "../src/commands/doctor";
import { runRotateServiceToken } from "../src/commands/rotate";
import { runSetup } from "../src/commands/setup";
import { UsageError } from "../src/errors";
import { gatewayCandidates, isLoopbackAddress } from "../src/http/gateway-check";
import { startGatewayStandIn, type GatewayStandIn } from "./helpers/gateway-stand-in";
import { createHarness, type Harness } from "./helpers/harness";

let h: Harness;
let gateway: GatewayStandIn;
let token: string;
/** Every URL the provisioner's HTTP client was asked for, with the service token header if any. */
let requests: Array<{ url: string; token: string | null }>;

beforeEach(async () => {
  h = await createHarness();
  await runSetup(h.options, h.deps);
  token = h.account.scripts.get("mcpbox-proxy")?.secrets.get("MCPBOX_SERVICE_TOKEN") ?? "";
  gateway = await startGatewayStandIn([token]);
  requests = [];
});
afterEach(async () => {
  await gateway.close();
  await h.close();
});

/** A network where the name `mcp-gateway` resolves to whoever listens at the stand-in's port. */
function dnsAnswering(name: string, port: number): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push({ url: url.href, token: new Headers(init?.headers).get("X-MCPbox-Service-Token") });
    if (url.hostname === name) url.host = `127.0.0.1:${port}`;
    return h.deps.http?.(url, init) ?? Promise.reject(new Error("no http"));
  }) as typeof fetch;
}

const tokenProbe = (findings: Awaited<ReturnType<typeof runDoctor>>["findings"]) => findings.find((f) => f.check === "the running gateway accepts the state's service token");

describe("a gateway host that is not a loopback address", () => {
  it("doctor sends it nothing, and says how to name the gateway", async () => {
    const port = await freePort();
    const options = { ...h.options, gatewayHost: "mcp-gateway", gatewayPort: port };
    const deps = { ...h.deps, http: dnsAnswering("mcp-gateway", gateway.port) };
    const finding = tokenProbe((await runDoctor(options, deps)).findings);
    expect(gateway.seen).toEqual([]);
    expect(requests.filter((r) => new URL(r.url).hostname !== "127.0.0.1")).toEqual([]);
    expect(finding).toMatchObject({ status: "skipped", seen: `gateway not reachable from here (tried http://127.0.0.1:${port}: connection failed (ECONNREFUSED))` });
    expect(finding?.action).toContain("--gateway-url");
  });

  it("rotate-service-token sends it nothing either", async () => {
    const options = { ...h.options, gatewayHost: "mcp-gateway", gatewayPort: await freePort() };
    const result = await runRotateServiceToken(options, { ...h.deps, http: dnsAnswering("mcp-gateway", gateway.port) });
    expect(result.gateway).toBe("not-reachable");
    expect(gateway.seen).toEqual([]);
    expect(requests.every((r) => new URL(r.url).hostname === "127.0.0.1")).toBe(true);
  });

  it("gets the token when the user names it with --gateway-url", async () => {
    const port = await freePort();
    const options = { ...h.options, gatewayHost: "mcp-gateway", gatewayPort: port, gatewayUrl: `http://mcp-gateway:${port}` };
    const finding = tokenProbe((await runDoctor(options, { ...h.deps, http: dnsAnswering("mcp-gateway", gateway.port) })).findings);
    expect(gateway.seen).toEqual([token]);
    expect(finding).toMatchObject({ status: "ok", seen: `http://mcp-gateway:${port} accepted it (HTTP 200)` });
  });
});

describe("a server on the gateway's port that redirects", () => {
  let redirector: Server;
  let port: number;
  beforeEach(async () => {
    // /health looks like the gateway's; /mcp sends the client (and its headers) elsewhere.
    redirector = createServer((req, res) => {
      req.resume();
      if (req.url === "/health") res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      else res.writeHead(307, { location: `http://127.0.0.1:${gateway.port}/mcp` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    port = (redirector.address() as AddressInfo).port;
  });
  afterEach(async () => {
    redirector.closeAllConnections();
    await new Promise<void>((resolve) => redirector.close(() => resolve()));
  });

  it("doctor does not follow the redirect with the token", async () => {
    const finding = tokenProbe((await runDoctor({ ...h.options, gatewayHost: "127.0.0.1", gatewayPort: port }, h.deps)).findings);
    expect(gateway.seen).toEqual([]);
    expect(finding).toMatchObject({ status: "skipped", seen: "it answered with a redirect, which is not followed (the service token stays here)" });
  });

  it("rotate-service-token does not follow it either", async () => {
    const result = await runRotateServiceToken({ ...h.options, gatewayHost: "127.0.0.1", gatewayPort: port }, h.deps);
    expect(gateway.seen).toEqual([]);
    expect(result.gateway).toBe("not-reachable");
  });

  it("a redirecting /health is not followed: the gateway is not found there", async () => {
    const other = createServer((req, res) => res.writeHead(302, { location: `http://127.0.0.1:${gateway.port}/health` }).end());
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    try {
      const otherPort = (other.address() as AddressInfo).port;
      const finding = tokenProbe((await runDoctor({ ...h.options, gatewayHost: "127.0.0.1", gatewayPort: otherPort }, h.deps)).findings);
      expect(finding?.status).toBe("skipped");
      expect(finding?.seen).toContain("it answered with a redirect, which is not followed");
      expect(gateway.seen).toEqual([]);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

describe("where the token may go", () => {
  it("loopback literals only; names and look-alikes are not loopback", () => {
    expect(gatewayCandidates("mcp-gateway", 8002)).toEqual(["http://127.0.0.1:8002"]);
    expect(gatewayCandidates("127.0.0.2", 8002)).toEqual(["http://127.0.0.1:8002", "http://127.0.0.2:8002"]);
    expect(gatewayCandidates("mcp-gateway", 8002, "http://gw.lan:9000")).toEqual(["http://gw.lan:9000"]);
    for (const host of ["localhost", "127.0.0.1.evil.example", "127.1", "0177.0.0.1", "127.0.0.256", "::1"]) expect(isLoopbackAddress(host), host).toBe(false);
  });

  it("--gateway-url takes an http(s) origin, for doctor and rotate-service-token only", () => {
    const parse = (url: string, command = "doctor") => parseCliArgs([command, `--gateway-url=${url}`]);
    expect(parse("http://mcp-gateway:8002/").command === "doctor" && parse("http://mcp-gateway:8002/")).toMatchObject({ flags: { gatewayUrl: "http://mcp-gateway:8002" } });
    expect(parse("https://gw.example", "rotate-service-token")).toMatchObject({ flags: { gatewayUrl: "https://gw.example" } });
    for (const bad of ["ftp://gw", "http://user:pw@gw:8002", "http://gw:8002/mcp", "http://gw?x=1", "not a url"]) expect(() => parse(bad), bad).toThrow(UsageError);
    expect(() => parse("http://gw:8002", "status")).toThrow("--gateway-url belongs to doctor and rotate-service-token.");
  });
});
