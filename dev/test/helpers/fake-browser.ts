/**
 * A stand-in for the desktop browser a CLI MCP client opens: a `BROWSER` program (xdg-open's
 * convention, which the `open` package follows on Linux) that hands the URL to the test instead
 * of opening a window, so the test can drive that URL in headless Chromium itself.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

export interface FakeBrowser {
  /** Environment for the client process: `BROWSER` pointing at the stand-in, no display. */
  env: Record<string, string>;
  /** URLs opened so far. */
  readonly opened: URL[];
  /** Resolves with the next URL the client opens. */
  next(): Promise<URL>;
  close(): Promise<void>;
}

export async function startFakeBrowser(): Promise<FakeBrowser> {
  const opened: URL[] = [];
  const waiting: ((url: URL) => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      res.writeHead(204).end();
      const url = new URL(body);
      opened.push(url);
      waiting.shift()?.(url);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/opened`;

  const dir = await mkdtemp(path.join(os.tmpdir(), "mcpbox-fake-browser-"));
  const program = path.join(dir, "browser");
  const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;
  const notify = "fetch(process.argv[1],{method:'POST',body:process.argv[2]}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))";
  await writeFile(program, `#!/bin/sh\nexec ${quote(process.execPath)} -e ${quote(notify)} ${quote(notifyUrl)} "$1"\n`);
  await chmod(program, 0o700);

  let seen = 0;
  return {
    env: { BROWSER: program },
    opened,
    next: () => {
      const index = seen++;
      const ready = opened[index];
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
