/**
 * Reduces a V8 CPU profile (`.cpuprofile`, as `node --cpu-prof` writes it) to tables: the hottest
 * frames by self time and by total time (a frame counts once per sample it is on the stack of),
 * and each area's share, where a sample belongs to the innermost frame on its stack that is not
 * Node's own or native (so `Buffer.concat` called by undici counts for undici). Frames of a
 * bundle are mapped back to their sources with the bundle's source map.
 */
import { SourceMap } from "node:module";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds between samples (the first from `startTime`). */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SummaryOptions {
  top?: number;
  /** Only samples in this window, in ms before the profile's end: [fromEndMs, toEndMs]. */
  window?: { fromEndMs: number; toEndMs: number };
  /** The bundle's URL and source map, to name frames by their original file and line. */
  bundle?: { url: string; map: SourceMap };
}

const PSEUDO = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

/** The package or source area of a script URL. */
export function areaOf(url: string): string {
  if (!url) return "native";
  if (url.startsWith("node:")) return "node";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(gateway|shared)\/src\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/src`;
  return "other";
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(.*)$/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/((?:gateway|shared)\/(?:src|bench)\/.*)$/.exec(url);
  if (own) return own[1] as string;
  return url.replace(/^file:\/\//, "");
}

/** The frame with its original file and line when it comes from the mapped bundle. */
function original(frame: CallFrame, bundle: SummaryOptions["bundle"]): CallFrame {
  if (!bundle || frame.url !== bundle.url) return frame;
  const entry = bundle.map.findEntry(frame.lineNumber, frame.columnNumber);
  if (!("originalSource" in entry)) return frame;
  return { ...frame, url: entry.originalSource, lineNumber: entry.originalLine, columnNumber: entry.originalColumn };
}

function frameKey(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  if (PSEUDO.has(name) || !frame.url) return name;
  return `${name} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
}

/** Sample indexes within the window (all without one). */
function sampled(profile: CpuProfile, window: SummaryOptions["window"]): number[] {
  const out: number[] = [];
  let t = profile.startTime;
  profile.samples.forEach((_, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const beforeEndMs = (profile.endTime - t) / 1000;
    if (!window || (beforeEndMs <= window.fromEndMs && beforeEndMs >= window.toEndMs)) out.push(i);
  });
  return out;
}

const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)}%`;

/** Markdown tables of the `top` hottest frames (self, total) and of the areas. */
export function summarize(profile: CpuProfile, options: SummaryOptions = {}): string {
  const top = options.top ?? 25;
  const nodes = profile.nodes.map((n) => ({ ...n, callFrame: original(n.callFrame, options.bundle) }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const index of sampled(profile, options.window)) {
    const leaf = byId.get(profile.samples[index] as number);
    if (!leaf || leaf.callFrame.functionName === "(idle)") continue;
    busy++;
    const leafKey = frameKey(leaf.callFrame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + 1);
    const seen = new Set<string>();
    let area: string | undefined;
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const key = frameKey(node.callFrame);
      if (key === "(root)") break;
      if (!seen.has(key)) {
        seen.add(key);
        total.set(key, (total.get(key) ?? 0) + 1);
      }
      const a = areaOf(node.callFrame.url);
      if (area === undefined && a !== "node" && a !== "native") area = a;
    }
    const name = leaf.callFrame.functionName;
    area ??= PSEUDO.has(name) ? name : "node";
    areas.set(area, (areas.get(area) ?? 0) + 1);
  }
  const rows = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  const lines = [`${busy} busy samples (idle excluded).`, "", "| area (innermost non-Node frame) | share |", "|---|---:|"];
  for (const [area, n] of rows(areas, 20)) lines.push(`| ${area} | ${pct(n, busy)} |`);
  lines.push("", "| frame (self time) | self |", "|---|---:|");
  for (const [key, n] of rows(self, top)) lines.push(`| \`${key}\` | ${pct(n, busy)} |`);
  lines.push("", "| frame (total time) | total |", "|---|---:|");
  for (const [key, n] of rows(total, top)) lines.push(`| \`${key}\` | ${pct(n, busy)} |`);
  return lines.join("\n");
}
