/**
 * `.dev.vars`, the Worker's local secrets: generated on first start with mode 0600, reused as
 * they are afterwards (so grants survive restarts), other lines kept, a malformed value refused
 * with a message naming it and the file.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SERVICE_TOKEN_SEPARATOR, WORKER_SECRET_NAMES } from "@mcpbox/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDevVars, parseDevVars, saveDevVars, workerSecrets } from "../src/stack/dev-vars";
import { StackError } from "../src/stack/errors";

const IDP = { authorizationUrl: "http://127.0.0.1:8788/a/authorization", tokenUrl: "http://127.0.0.1:8788/a/token", jwksUrl: "http://127.0.0.1:8788/a/jwks" };

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-dev-vars-"));
  file = path.join(dir, ".dev.vars");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(".dev.vars", () => {
  it("is generated on first start with every Worker secret, readable by its owner only", async () => {
    const first = await loadDevVars(file);
    expect(first.generated).toEqual(["MCPBOX_SERVICE_TOKEN", "ACCESS_CLIENT_ID", "ACCESS_CLIENT_SECRET", "COOKIE_ENCRYPTION_KEY"]);
    expect(first.secrets.MCPBOX_SERVICE_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(first.secrets.COOKIE_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    await saveDevVars(file, workerSecrets(first.secrets, IDP), first.others);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const written = parseDevVars(await readFile(file, "utf8"));
    expect([...written.keys()]).toEqual([...WORKER_SECRET_NAMES]);
    expect(written.get("ACCESS_TOKEN_URL")).toBe(IDP.tokenUrl);
  });

  it("is reused as it is on the next start, and a looser mode is tightened", async () => {
    const first = await loadDevVars(file);
    await saveDevVars(file, workerSecrets(first.secrets, IDP), first.others);
    await chmod(file, 0o644);
    const second = await loadDevVars(file);
    expect(second.generated).toEqual([]);
    expect(second.secrets).toEqual(first.secrets);
    await saveDevVars(file, workerSecrets(second.secrets, IDP), second.others);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("keeps lines it does not own, fills in a missing secret, and reads quoted values", async () => {
    await writeFile(file, `# mine\nMY_SETTING="hello world"\nexport COOKIE_ENCRYPTION_KEY='${"ab".repeat(32)}'\n`);
    const loaded = await loadDevVars(file);
    expect(loaded.secrets.COOKIE_ENCRYPTION_KEY).toBe("ab".repeat(32));
    expect(loaded.generated).not.toContain("COOKIE_ENCRYPTION_KEY");
    expect(loaded.generated).toContain("MCPBOX_SERVICE_TOKEN");
    await saveDevVars(file, workerSecrets(loaded.secrets, IDP), loaded.others);
    expect(parseDevVars(await readFile(file, "utf8")).get("MY_SETTING")).toBe("hello world");
  });

  it("refuses a malformed secret, naming it and the file, instead of silently replacing it", async () => {
    await writeFile(file, "COOKIE_ENCRYPTION_KEY=not-hex\n");
    const error = await loadDevVars(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackError);
    expect((error as Error).message).toContain(`COOKIE_ENCRYPTION_KEY in ${file} is malformed`);
    expect((error as Error).message).toContain("Delete that line");
  });

  it("refuses a service token the gateway would read as two (it holds the rotation separator)", async () => {
    const [current, previous] = ["a".repeat(32), "b".repeat(32)];
    await writeFile(file, `MCPBOX_SERVICE_TOKEN=${current}${SERVICE_TOKEN_SEPARATOR}${previous}\n`);
    const error = await loadDevVars(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackError);
    expect((error as Error).message).toContain(`MCPBOX_SERVICE_TOKEN in ${file} is malformed`);
    await writeFile(file, `MCPBOX_SERVICE_TOKEN=${current}${previous}\n`);
    expect((await loadDevVars(file)).secrets.MCPBOX_SERVICE_TOKEN).toBe(current + previous);
  });
});
