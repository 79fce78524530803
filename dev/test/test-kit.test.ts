/**
 * The Node half of the test kit that every package's tests lean on: the process table tells a
 * running process from a zombie and from a reaped one (tests prove "nothing left behind" with
 * it), and the ports it hands out are really free or really taken. A kit helper that lied would
 * let those tests pass for the wrong reason.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  BENCHMARKS_FILE,
  childPids,
  commandLineOf,
  descendants,
  freePort,
  isRunning,
  occupyPort,
  processExists,
  processGroupOf,
  processTree,
  statFields,
} from "../src/test-kit/node";

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
});

/**
 * A shell that starts a short child in the background, then becomes `sleep` (exec), which never
 * reaps it: once it ends, the child is a zombie of our child.
 */
function parentOfAZombie(): ChildProcess {
  const child = spawn("sh", ["-c", "sleep 0.1 & exec sleep 30"], { stdio: "ignore" });
  started.push(child);
  return child;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("the process table", () => {
  it("tells a running process, a zombie and a reaped process apart", async () => {
    const parent = parentOfAZombie();
    const pid = parent.pid as number;
    // Wait (reading /proc directly) until the background child has ended and not been reaped.
    const childOf = () => readdirSync("/proc").filter((entry) => /^\d+$/.test(entry) && statFields(Number(entry))?.[1] === String(pid));
    await expect.poll(() => childOf().map((entry) => statFields(Number(entry))?.[0]), { timeout: 10_000 }).toEqual(["Z"]);
    const zombie = Number(childOf()[0]);

    expect(isRunning(pid)).toBe(true);
    expect(processExists(zombie)).toBe(true);
    expect(isRunning(zombie)).toBe(false);
    expect(descendants(pid)).toEqual([]);
    expect(processTree(pid)).toEqual([pid, zombie]);

    const exited = new Promise((resolve) => parent.once("exit", resolve));
    parent.kill("SIGTERM");
    await exited;
    // Node has reaped our child: gone from the table altogether.
    expect(processExists(pid)).toBe(false);
    expect(isRunning(pid)).toBe(false);
  });

  it("finds a running child by its command line, and its process group", () => {
    const child = spawn("sleep", ["31"], { stdio: "ignore", detached: true });
    started.push(child);
    const pid = child.pid as number;
    expect(childPids(process.pid, "sleep 31")).toContain(pid);
    expect(childPids(process.pid, "sleep 32")).not.toContain(pid);
    expect(commandLineOf(pid)).toBe("sleep 31");
    // detached: the child leads a process group of its own.
    expect(processGroupOf(pid)).toBe(pid);
    expect(processGroupOf(process.pid)).not.toBe(pid);
  });

  it("answers for a pid that does not exist", () => {
    // Linux never hands out pid 0 to a process and pid_max is at most 2^22.
    const nobody = 2 ** 22 + 1;
    expect(processExists(nobody)).toBe(false);
    expect(isRunning(nobody)).toBe(false);
    expect(processGroupOf(nobody)).toBeUndefined();
    expect(commandLineOf(nobody)).toBeUndefined();
    expect(descendants(nobody)).toEqual([]);
  });
});

describe("ports", () => {
  it("hands out a port nothing listens on", async () => {
    expect(await connectionRefused(await freePort())).toBe(true);
  });

  it("holds a port until it is closed", async () => {
    const held = await occupyPort();
    const taken = await new Promise<string | undefined>((resolve) => {
      const probe = net.createServer();
      probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
      probe.listen(held.port, "127.0.0.1", () => probe.close(() => resolve(undefined)));
    });
    expect(taken).toBe("EADDRINUSE");
    await held.close();
    expect(await connectionRefused(held.port)).toBe(true);
  });
});

it("the benchmark report writes to the repository's docs/benchmarks.md", () => {
  expect(BENCHMARKS_FILE.endsWith("/docs/benchmarks.md")).toBe(true);
  expect(existsSync(BENCHMARKS_FILE)).toBe(true);
});
