/**
 * Storage for the development IdP's oidc-provider models (sessions, interactions, codes, tokens,
 * grants) and its accounts: one Map per IdP instance, shared across key rotations. With a `file`
 * it is also written there (mode 0600) after every change and read back at start, so refresh
 * tokens and the sessions they belong to survive a restart of `npm start`, as they would at Access.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Adapter, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  /** Milliseconds since the epoch; null for "never". */
  expiresAt: number | null;
}

export interface MemoryStore {
  /** The factory for oidc-provider's `adapter` option. */
  adapter(model: string): Adapter;
  /** Removes every live record of `model` whose payload matches; returns how many. */
  removeWhere(model: string, matches: (payload: AdapterPayload) => boolean): number;
}

/** A store, loaded from `file` when it exists and written back to it after every change. */
export function createMemoryStore(options: { file?: string } = {}): MemoryStore {
  const entries = new Map<string, Entry>(options.file ? load(options.file) : []);
  const grants = new Map<string, Set<string>>();
  const sessionUids = new Map<string, string>();
  const index = (key: string, payload: AdapterPayload) => {
    const [model, ...rest] = key.split(":");
    if (model === "Session" && payload.uid) sessionUids.set(payload.uid, rest.join(":"));
    if (payload.grantId) {
      const members = grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      grants.set(payload.grantId, members);
    }
  };
  for (const [key, entry] of entries) index(key, entry.payload);
  const persist = () => {
    if (options.file) save(options.file, entries);
  };

  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return {
    adapter(model: string): Adapter {
      const keyOf = (id: string) => `${model}:${id}`;
      return {
        async upsert(id, payload, expiresIn) {
          const key = keyOf(id);
          entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
          index(key, payload);
          persist();
        },
        async find(id) {
          return live(keyOf(id));
        },
        async findByUid(uid) {
          const id = sessionUids.get(uid);
          return id === undefined ? undefined : live(keyOf(id));
        },
        async findByUserCode() {
          return undefined;
        },
        async consume(id) {
          const payload = live(keyOf(id));
          if (payload) payload.consumed = Math.floor(Date.now() / 1000);
          persist();
        },
        async destroy(id) {
          entries.delete(keyOf(id));
          persist();
        },
        async revokeByGrantId(grantId) {
          for (const key of grants.get(grantId) ?? []) entries.delete(key);
          grants.delete(grantId);
          persist();
        },
      };
    },
    removeWhere(model, matches) {
      let removed = 0;
      for (const [key, entry] of entries) {
        if (key.startsWith(`${model}:`) && matches(entry.payload)) {
          entries.delete(key);
          removed += 1;
        }
      }
      if (removed > 0) persist();
      return removed;
    },
  };
}

function load(file: string): Array<[string, Entry]> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error(`${file} is not a development IdP store; delete it to start afresh`);
  return value.filter(
    (item): item is [string, Entry] =>
      Array.isArray(item) &&
      typeof item[0] === "string" &&
      typeof item[1] === "object" &&
      item[1] !== null &&
      typeof item[1].payload === "object",
  );
}

function save(file: string, entries: Map<string, Entry>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const now = Date.now();
  const live = [...entries].filter(([, entry]) => entry.expiresAt === null || entry.expiresAt > now);
  writeFileSync(temporary, JSON.stringify(live), { mode: 0o600 });
  renameSync(temporary, file);
}
