/**
 * Secret-bearing local files: the state file and the env file, both written atomically (temp file
 * + rename) with mode 0600, so an interruption leaves either the old or the new version. Also the
 * lock that keeps two runs from working on one state file.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { LockedError, StateError } from "../errors";
import { emptyState, parseState, type ProvisionState } from "./state";

/** Owner read/write only. */
const SECRET_FILE_MODE = 0o600;

/** Writes `content` to `file` atomically with mode 0600, creating its folder (0700) if needed. */
export async function writeSecretFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const handle = await open(temp, "wx", SECRET_FILE_MODE);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // rename keeps the temp file's mode; this also tightens a file someone created with looser bits.
  await chmod(file, SECRET_FILE_MODE);
}

/** Reads the state file; a missing file is an empty state. */
export async function loadState(file: string): Promise<{ state: ProvisionState; existed: boolean }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state: emptyState(), existed: false };
    throw new StateError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StateError(`${file} is not valid JSON.`, "Restore it from a backup, or move it away and run setup with --adopt to take over the existing resources.");
  }
  return { state: parseState(json, file), existed: true };
}

/** Saves the state atomically (mode 0600). */
export async function saveState(file: string, state: ProvisionState, now: Date = new Date()): Promise<void> {
  state.updatedAt = now.toISOString();
  await writeSecretFile(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the state file (after a complete teardown). */
export async function removeState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/**
 * Takes `<state>.lock` (O_EXCL). A lock left by a process that no longer exists is taken over.
 * Returns the release function.
 */
export async function acquireLock(stateFile: string): Promise<() => Promise<void>> {
  const lockFile = `${stateFile}.lock`;
  await mkdir(path.dirname(path.resolve(lockFile)), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockFile, "wx", SECRET_FILE_MODE);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(await readFile(lockFile, "utf8").catch(() => ""), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidInUse(pid)) throw new LockedError(lockFile, pid);
      await rm(lockFile, { force: true });
    }
  }
  throw new LockedError(lockFile, 0);
}

/**
 * True while some process holds this pid, ours or another user's (EPERM: it exists, we may not
 * signal it), so a lock it wrote is not taken over. Signal 0 probes without signalling.
 */
function pidInUse(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
