#!/usr/bin/env -S node --
// The `mcpbox-remote` command: runs the TypeScript CLI through tsx (the project has no build step).
// The `--` in the shebang matters: Node 22 otherwise reads a script's own `--env-file` argument as
// its option and exits when that file does not exist yet (nodejs/node#54232).
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
