/**
 * Entry point of `npm run provision -- <command>` and the `mcpbox-remote` bin. The first Ctrl-C
 * stops the run between two API calls (progress is saved); a second one exits at once.
 */
import { main } from "./cli/main";

const controller = new AbortController();
let interrupts = 0;
process.on("SIGINT", () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write("\nStopping after the current call… (Ctrl-C again to quit at once)\n");
  controller.abort();
});

process.exitCode = await main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
});
