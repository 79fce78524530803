/**
 * `npm run connect` with a stand-in cloudflared on PATH: the gateway comes up from the env file,
 * cloudflared gets TUNNEL_TOKEN in its environment and never in its argv, it is started again with
 * backoff when it exits, Ctrl-C stops both, and without a usable cloudflared the gateway still
 * runs while the output says how to install one.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runConnect, type Part } from "../src/connect/run-connect";
import { eventually, writeCloudflaredStandIn, type CloudflaredStandIn } from "./helpers/cloudflared-stand-in";
import { processExists } from "@mcpbox/dev/test-kit/node";

const TUNNEL_TOKEN = Buffer.from(JSON.stringify({ a: "acc", t: "tun", s: randomBytes(32).toString("base64") })).toString("base64");
const SERVICE_TOKEN = randomBytes(32).toString("hex");

let dir: string;
let envFile: string;
let lines: string[];
let sleeps: number[];
let stop: AbortController;
let running: Promise<number> | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-connect-"));
  envFile = path.join(dir, "gateway.env");
  await writeFile(envFile, `TUNNEL_TOKEN=${TUNNEL_TOKEN}\nMCPBOX_SERVICE_TOKEN=${SERVICE_TOKEN}\nMCPBOX_ALLOWED_EMAILS=me@example.com\n`, { mode: 0o600 });
  lines = [];
  sleeps = [];
  stop = new AbortController();
  running = undefined;
});

afterEach(async () => {
  stop.abort();
  await running;
  await rm(dir, { recursive: true, force: true });
});

function start(standIn: CloudflaredStandIn | undefined, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const pathDirs = [standIn?.dir, path.dirname(process.execPath)].filter((d): d is string => Boolean(d));
  running = runConnect({
    envFile,
    statePath: path.join(dir, "state.json"),
    env: { PATH: pathDirs.join(path.delimiter), HOME: dir, GATEWAY_PORT: "0", CLOUDFLARE_API_TOKEN: "not-for-cloudflared", ...env },
    status: (part: Part, text: string) => lines.push(`[${part}] ${text}`),
    signal: stop.signal,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return running;
}

const gatewayUrl = () => eventually(() => /\[gateway\] ready: (http:\/\/\S+) /.exec(lines.join("\n"))?.[1], "the gateway's ready line");
const standInDir = async () => {
  const d = path.join(dir, "bin");
  await import("node:fs/promises").then((fs) => fs.mkdir(d));
  return d;
};

describe("npm run connect", () => {
  it("runs the gateway and cloudflared; the tunnel token is in cloudflared's environment, never in its argv", async () => {
    const standIn = await writeCloudflaredStandIn(await standInDir(), "2026.8.2");
    void start(standIn);
    const [run] = await eventually(() => standIn.runs().length > 0 && standIn.runs(), "cloudflared to start");
    expect(run?.argv).toEqual(["tunnel", "--no-autoupdate", "run"]);
    expect(run?.env).toEqual({ TUNNEL_TOKEN, MCPBOX_SERVICE_TOKEN: null, CLOUDFLARE_API_TOKEN: null });
    // What `ps` shows: the process's command line.
    if (existsSync(`/proc/${run?.pid}/cmdline`)) expect(readFileSync(`/proc/${run?.pid}/cmdline`, "utf8")).not.toContain(TUNNEL_TOKEN.slice(0, 16));

    const url = await gatewayUrl();
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const refused = await fetch(`${url}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(refused.status).toBe(403);
    await eventually(() => lines.some((l) => l === "[cloudflared] connected to Cloudflare (fra08)"), "the connected line");
    expect(lines.filter((l) => l.startsWith("[gateway] ready"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("[cloudflared] running 2026.8.2 (pid"))).toHaveLength(1);
    expect(lines.join("\n")).not.toContain(TUNNEL_TOKEN);
    expect(lines.join("\n")).not.toContain(SERVICE_TOKEN);
  });

  it("starts cloudflared again with growing waits when it exits", async () => {
    const standIn = await writeCloudflaredStandIn(await standInDir(), "2026.8.2");
    void start(standIn);
    await eventually(() => standIn.runs().length === 1, "the first run");
    await standIn.cueExit();
    await eventually(() => standIn.runs().length === 2, "the second run");
    await standIn.cueExit();
    await eventually(() => standIn.runs().length === 3, "the third run");
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(lines).toContain("[cloudflared] exited (code 3); starting it again in 1 s (see " + path.join(dir, "cloudflared.log") + ")");
    expect(standIn.runs().every((r) => r.env.TUNNEL_TOKEN === TUNNEL_TOKEN)).toBe(true);
  });

  it("stops both on Ctrl-C", async () => {
    const standIn = await writeCloudflaredStandIn(await standInDir(), "2026.8.2");
    const done = start(standIn);
    const [run] = await eventually(() => standIn.runs().length > 0 && standIn.runs(), "cloudflared to start");
    const url = await gatewayUrl();
    stop.abort();
    expect(await done).toBe(0);
    expect(standIn.signals()).toEqual(["SIGTERM"]);
    expect(processExists(run?.pid as number)).toBe(false);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(standIn.runs()).toHaveLength(1);
  });

  it("without cloudflared on PATH says how to install it, and runs the gateway", async () => {
    void start(undefined);
    const url = await gatewayUrl();
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const advice = await eventually(() => lines.find((l) => l.startsWith("[cloudflared] not found on PATH")), "the install advice");
    expect(advice).toContain("https://developers.cloudflare.com/cloudflare-one/");
    expect(advice).toContain("2025.7.0");
  });

  it("does not start a cloudflared older than 2025.7.0, and says so", async () => {
    const standIn = await writeCloudflaredStandIn(await standInDir(), "2025.6.1");
    void start(standIn);
    await gatewayUrl();
    const line = await eventually(() => lines.find((l) => l.startsWith("[cloudflared] not started")), "the version line");
    expect(line).toContain("cloudflared 2025.6.1 is older than 2025.7.0");
    expect(standIn.runs()).toEqual([]);
  });

  it("points at setup when the tunnel targets a compose name cloudflared here cannot reach", async () => {
    await writeFile(path.join(dir, "state.json"), JSON.stringify({ version: 1, gateway: { host: "mcp-gateway", port: 8002 } }));
    void start(undefined, { GATEWAY_PORT: "0" });
    await gatewayUrl();
    expect(lines.join("\n")).toContain("run `npm run provision -- setup --gateway-host 127.0.0.1` once");
  });

  it("without the env file says to run setup, and starts nothing", async () => {
    await rm(envFile);
    expect(await start(undefined)).toBe(1);
    expect(lines).toEqual([`[connect] ${envFile} does not exist: run \`npm run provision -- setup\` first (it writes the tokens there), or pass --env-file.`]);
  });
});

describe("cloudflared restart policy", () => {
  it("doubles the wait after each quick exit up to 30 s, and starts over after a run of a minute", async () => {
    const { nextQuickExits, restartDelayMs } = await import("../src/connect/restart-policy");
    let quick = 0;
    const waits = [5, 5, 5, 5, 5, 5, 5].map((ranSeconds) => restartDelayMs((quick = nextQuickExits(quick, ranSeconds * 1000))));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(restartDelayMs(nextQuickExits(quick, 60_000))).toBe(1_000);
  });
});
