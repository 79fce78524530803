/**
 * Where the Worker isolate's CPU samples fall: each V8 profile sample is mapped through the
 * bundle's source map to a source file, and attributed to the nearest frame of the stack that
 * has one (so `crypto.subtle.digest` called by the OAuth library counts for the library, and a
 * `Headers` method called by our proxy counts for our code). Samples with no such frame are the
 * runtime's own work (request and response plumbing, promise jobs) or garbage collection.
 */
import { readFile } from "node:fs/promises";
import { SourceMap } from "node:module";
import path from "node:path";
import { REPO_ROOT } from "../../src/wrangler-settings";
import type { CpuProfile, CpuProfileNode } from "./inspector";
import { PROBE_KV_METHODS } from "./probe";
import { SUBTLE_METHODS } from "../../src/test-kit/subtle-counter";

const PROFILE_AREAS = ["worker", "oauth-library", "other-packages", "probe", "runtime", "gc"] as const;
export type ProfileArea = (typeof PROFILE_AREAS)[number];

export interface ProfileFrame {
  /** Function name and source (`router.ts:57`, a package name, or `native` for runtime APIs). */
  label: string;
  area: ProfileArea;
  /** Share of the profile's non-idle samples spent in this frame itself. */
  share: number;
}

export interface ProfileSummary {
  /** Samples outside `(idle)`. */
  samples: number;
  /** Share of those samples per area (sums to 1). */
  areas: Record<ProfileArea, number>;
  /** The frames with the most self samples, most first. */
  top: ProfileFrame[];
}

/** Runtime methods the probe wraps (KV, service bindings, crypto.subtle): see probe.ts. */
const WRAPPED_CALLS: ReadonlySet<string> = new Set([...PROBE_KV_METHODS, ...SUBTLE_METHODS, "fetch", "connect"]);

interface Located {
  area: ProfileArea | undefined;
  where: string;
}

/** Summarizes `profile`, taken in the isolate running `bundleEntry` (which has a `.map` beside it). */
export async function summarizeProfile(profile: CpuProfile, bundleEntry: string, topFrames = 12): Promise<ProfileSummary> {
  const map = new SourceMap(JSON.parse(await readFile(`${bundleEntry}.map`, "utf8")) as ConstructorParameters<typeof SourceMap>[0]);
  const bundleName = path.basename(bundleEntry);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const locate = (node: CpuProfileNode): Located => {
    const { url, lineNumber, columnNumber, functionName } = node.callFrame;
    if (functionName === "(garbage collector)") return { area: "gc", where: "" };
    // V8's pseudo-frames: (program), (root), (idle).
    if (functionName.startsWith("(")) return { area: undefined, where: "" };
    if (!url.endsWith(bundleName)) return { area: undefined, where: "native" };
    const entry = map.findEntry(lineNumber, columnNumber);
    if (!("originalSource" in entry)) return { area: undefined, where: bundleName };
    return classify(path.resolve(path.dirname(bundleEntry), entry.originalSource), entry.originalLine + 1);
  };
  const located = new Map<number, Located>();
  const locatedOf = (id: number): Located => {
    let value = located.get(id);
    if (!value) {
      const node = nodes.get(id);
      value = node ? locate(node) : { area: undefined, where: "" };
      located.set(id, value);
    }
    return value;
  };
  const areaOf = (id: number): ProfileArea => {
    // A runtime call the probe only passes through (the KV get, the digest, the tunnel fetch)
    // belongs to whoever called the probe's wrapper.
    const passThrough = WRAPPED_CALLS.has(nodes.get(id)?.callFrame.functionName ?? "") && locatedOf(id).area === undefined;
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const area = locatedOf(current).area;
      if (area && !(passThrough && area === "probe")) return area;
    }
    return "runtime";
  };

  const areas = Object.fromEntries(PROFILE_AREAS.map((area) => [area, 0])) as Record<ProfileArea, number>;
  const frames = new Map<string, ProfileFrame>();
  let samples = 0;
  for (const id of profile.samples) {
    const node = nodes.get(id);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    samples += 1;
    const area = areaOf(id);
    areas[area] += 1;
    const name = node.callFrame.functionName || "(anonymous)";
    const where = locatedOf(id).where;
    const label = where ? `${name} (${where})` : name;
    const key = `${label}|${area}`;
    const frame = frames.get(key) ?? { label, area, share: 0 };
    frame.share += 1;
    frames.set(key, frame);
  }
  for (const area of PROFILE_AREAS) areas[area] = samples > 0 ? areas[area] / samples : 0;
  const top = [...frames.values()]
    .sort((a, b) => b.share - a.share)
    .slice(0, topFrames)
    .map((frame) => ({ ...frame, share: samples > 0 ? frame.share / samples : 0 }));
  return { samples, areas, top };
}

/** The area and a short location for a source file of the bundle. */
function classify(file: string, line: number): Located {
  const relative = path.relative(REPO_ROOT, file).split(path.sep).join("/");
  const inPackage = relative.lastIndexOf("node_modules/");
  if (inPackage >= 0) {
    const parts = relative.slice(inPackage + "node_modules/".length).split("/");
    const name = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1] ?? ""}` : (parts[0] ?? "");
    return { area: name === "@cloudflare/workers-oauth-provider" ? "oauth-library" : "other-packages", where: name };
  }
  // The generated entry lives in a temporary directory outside the repository.
  if (relative.startsWith("..")) return { area: "probe", where: "bench entry" };
  // dev/ code in the bundle is measurement only: the probe (dev/bench/) and the kit's subtle-call counter.
  if (relative.startsWith("dev/")) return { area: "probe", where: `${relative}:${line}` };
  if (relative.startsWith("worker/") || relative.startsWith("shared/")) return { area: "worker", where: `${relative}:${line}` };
  return { area: "other-packages", where: `${relative}:${line}` };
}
