/**
 * `npm run wizard` as a process: it prints the one-time link on 127.0.0.1 whatever the environment
 * says (HOST, GATEWAY_HOST), and a taken port stops it with one line naming MCPBOX_WIZARD_PORT.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { freePort, occupyPort, type OccupiedPort } from "@mcpbox/dev/test-kit/node";
import { afterEach, describe, expect, it } from "vitest";
import { WIZARD_ENV } from "../src/defaults";

const MAIN = path.resolve(import.meta.dirname, "../src/web/main.ts");
const children: Array<ReturnType<typeof spawn>> = [];
let blocker: OccupiedPort | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGTERM");
  await blocker?.close();
  blocker = undefined;
});

function startMain(env: Record<string, string>): { child: ReturnType<typeof spawn>; output: Promise<{ stdout: string; stderr: string; code: number | null }>; firstLine: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--state", path.join(os.tmpdir(), `wizard-main-${process.pid}.json`)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  let resolveLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve));
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    const link = /http:\/\/\S+/.exec(stdout);
    if (link) resolveLine(link[0]);
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const output = new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => child.on("exit", (code) => resolve({ stdout, stderr, code })));
  return { child, output, firstLine };
}

describe("npm run wizard", () => {
  it("stops with one line naming MCPBOX_WIZARD_PORT when the port is taken", async () => {
    blocker = await occupyPort();
    const { port } = blocker;
    const { output } = startMain({ [WIZARD_ENV.port]: String(port) });
    const { stderr, stdout, code } = await output;
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
    expect(stderr).toContain(WIZARD_ENV.port);
  });

  it("prints a one-time link on 127.0.0.1 and listens nowhere else, whatever HOST says", async () => {
    const port = await freePort();
    const { firstLine } = startMain({ [WIZARD_ENV.port]: String(port), HOST: "0.0.0.0", GATEWAY_HOST: "0.0.0.0" });
    const link = new URL(await firstLine);
    expect(link.host).toBe(`127.0.0.1:${port}`);
    expect(link.searchParams.get("launch")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal);
    if (external) {
      await expect(fetch(`http://${external.address}:${port}/`)).rejects.toThrow();
    }
  });
});
