/**
 * `npm run connect` as a process, stopped the way a terminal stops it: its entry point with a
 * stand-in cloudflared on PATH prints one status line per part, and one SIGINT ends cloudflared
 * (with SIGTERM), the gateway and itself, exiting 0.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, writeCloudflaredStandIn } from "./helpers/cloudflared-stand-in";
import { processExists } from "@mcpbox/dev/test-kit/node";

// As `npm run connect` starts it: the entry point bundled by run-bundled.mjs, under plain node.
const RUN_BUNDLED = fileURLToPath(new URL("../src/run-bundled.mjs", import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-connect-proc-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("one Ctrl-C stops cloudflared, the gateway and connect itself", async () => {
  const bin = path.join(dir, "bin");
  await mkdir(bin);
  const standIn = await writeCloudflaredStandIn(bin, "2026.8.2");
  const envFile = path.join(dir, "gateway.env");
  await writeFile(
    envFile,
    `TUNNEL_TOKEN=${randomBytes(24).toString("base64")}\nMCPBOX_SERVICE_TOKEN=${randomBytes(32).toString("hex")}\n`,
    { mode: 0o600 },
  );
  const child = spawn(process.execPath, [RUN_BUNDLED, "connect", "--env-file", envFile], {
    env: { PATH: [bin, path.dirname(process.execPath)].join(path.delimiter), HOME: dir, GATEWAY_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const [run] = await eventually(() => standIn.runs().length > 0 && standIn.runs(), "cloudflared to start", 20_000);
  const url = await eventually(() => /\[gateway\]\s+ready: (http:\/\/\S+) /.exec(stdout)?.[1], "the gateway's ready line", 20_000);
  expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
  await eventually(() => stdout.includes("[cloudflared] connected to Cloudflare (fra08)"), "the connected line");

  child.kill("SIGINT");
  expect(await exited).toBe(0);
  expect(standIn.signals()).toEqual(["SIGTERM"]);
  expect(processExists(run?.pid as number)).toBe(false);
  await expect(fetch(`${url}/health`)).rejects.toThrow();
  expect(stdout).toMatch(/\[connect\]\s+stopped\n$/);
}, 40_000);
