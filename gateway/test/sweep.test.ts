/**
 * The sweep that carries the upstream's answer timeout and the SSE keepalive instead of a timer per
 * request: it looks at what is listed and at nothing else, survives entries removing each other
 * while it looks, runs only while something is listed, and never keeps the process alive.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Sweep, sweepPeriodFor } from "../src/sweep";
import type { Swept } from "../src/sweep";

/** An entry that counts the looks it got and runs `onLook` on each. */
function entry(onLook: (self: Counted) => void = () => undefined): Counted {
  const self: Counted = {
    looks: 0,
    sweepPrev: undefined,
    sweepNext: undefined,
    onSweep() {
      self.looks++;
      onLook(self);
    },
  };
  return self;
}
interface Counted extends Swept {
  looks: number;
}

/** Resolves after `n` ticks of a sweep, seen by an entry of its own (which it then removes). */
function ticks(sweep: Sweep, n: number): Promise<void> {
  return new Promise((resolve) => {
    const witness = entry((self) => {
      if (self.looks < n) return;
      sweep.remove(self);
      resolve();
    });
    sweep.add(witness);
  });
}

describe("Sweep", () => {
  it("looks at every listed entry on each tick, and at none once it is removed", async () => {
    const sweep = new Sweep(5);
    const [a, b, c] = [entry(), entry(), entry()];
    for (const e of [a, b, c]) sweep.add(e);
    await ticks(sweep, 3);
    sweep.remove(b);
    const seen = b.looks;
    await ticks(sweep, 3);
    expect(a.looks).toBeGreaterThanOrEqual(6);
    expect(c.looks).toBeGreaterThanOrEqual(6);
    expect(seen).toBeGreaterThanOrEqual(3);
    expect(b.looks).toBe(seen);
    sweep.stop();
  });

  it("lists an entry once however often it is added, and ignores removing one it does not hold", async () => {
    const sweep = new Sweep(5);
    const a = entry();
    sweep.add(a);
    sweep.add(a);
    sweep.remove(entry());
    await ticks(sweep, 4);
    // Once per tick: listed twice, it would be looked at twice.
    expect(a.looks).toBeGreaterThanOrEqual(4);
    expect(a.looks).toBeLessThanOrEqual(5);
    expect(sweep.has(a)).toBe(true);
    sweep.remove(a);
    sweep.remove(a);
    expect(sweep.has(a)).toBe(false);
    sweep.stop();
  });

  it("does not look at an entry another one removed earlier in the same tick", async () => {
    const sweep = new Sweep(5);
    const victims = [entry(), entry(), entry()];
    // Listed last, so looked at first: it removes the others before their turn.
    const remover = entry(() => {
      for (const victim of victims) sweep.remove(victim);
    });
    for (const victim of victims) sweep.add(victim);
    sweep.add(remover);
    await ticks(sweep, 2);
    expect(victims.map((v) => v.looks)).toEqual([0, 0, 0]);
    expect(remover.looks).toBeGreaterThan(0);
    sweep.stop();
  });

  it("keeps looking at the others when an entry removes itself", async () => {
    const sweep = new Sweep(5);
    const once = entry((self) => sweep.remove(self));
    const steady = entry();
    sweep.add(steady);
    sweep.add(once);
    await ticks(sweep, 3);
    expect(once.looks).toBe(1);
    expect(steady.looks).toBeGreaterThanOrEqual(3);
    sweep.stop();
  });

  it("runs only while something is listed: it stops on a tick that finds nothing and starts again on the next add", async () => {
    const sweep = new Sweep(5);
    expect(sweep.running).toBe(false);
    const a = entry();
    sweep.add(a);
    expect(sweep.running).toBe(true);
    // Removing the last entry does not stop it at once (one call at a time would restart it on every call)...
    sweep.remove(a);
    expect(sweep.running).toBe(true);
    // ...the next empty tick does.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sweep.running).toBe(false);
    sweep.add(a);
    await ticks(sweep, 2);
    expect(a.looks).toBeGreaterThanOrEqual(2);
    sweep.stop();
    expect(sweep.running).toBe(false);
    expect(sweep.has(a)).toBe(false);
  });

  it("never keeps the process alive by itself", () => {
    const module = fileURLToPath(new URL("../src/sweep.ts", import.meta.url));
    const script = `
      const { Sweep } = await import(${JSON.stringify(module)});
      const sweep = new Sweep(10);
      sweep.add({ sweepPrev: undefined, sweepNext: undefined, onSweep() {} });
      process.stdout.write(String(sweep.running));
    `;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    // The child printed that its sweep was running, then exited on its own, well before the timeout.
    expect(child.error).toBeUndefined();
    expect(child.stdout).toBe("true");
    expect(child.status).toBe(0);
  });

  it("checks a deadline a quarter of it apart, at most a second", () => {
    expect(sweepPeriodFor(60_000)).toBe(1_000);
    expect(sweepPeriodFor(300)).toBe(75);
    expect(sweepPeriodFor(10)).toBe(2);
    expect(sweepPeriodFor(1)).toBe(1);
  });
});
