/**
 * MCP_UPSTREAM_COMMAND as words: the gateway splits the line as a POSIX shell would (without
 * running one), and a line quoted from an argument list splits back into exactly that list, so
 * the default upstream's command (a path with spaces, quotes…) reaches the child unchanged.
 */
import { describe, expect, it } from "vitest";
import { joinCommandLine, splitCommandLine } from "../src/upstream/command-line";

describe("splitCommandLine", () => {
  it.each([
    ["node server.js", ["node", "server.js"]],
    ["  uvx   mcp-server-git  ", ["uvx", "mcp-server-git"]],
    [`"/opt/my tools/server" --name='x y' a\\ b`, ["/opt/my tools/server", "--name=x y", "a b"]],
    [`echo "say \\"hi\\"" ''`, ["echo", 'say "hi"', ""]],
  ])("splits %s", (line, argv) => {
    expect(splitCommandLine(line)).toEqual({ ok: true, argv });
  });

  it("refuses an empty line and a dangling backslash", () => {
    expect(splitCommandLine("   ")).toEqual({ ok: false, reason: "it is empty" });
    expect(splitCommandLine("node \\")).toEqual({ ok: false, reason: "it ends with a lone backslash" });
  });
});

describe("joinCommandLine", () => {
  it.each([
    ["plain words", ["/usr/bin/node", "/srv/mcp/dist/index.js", "stdio"]],
    ["spaces", ["/opt/my tools/node", "--name=x y", "  "]],
    ["single quotes", ["it's", "'", "''", "a'b'c"]],
    ["double quotes and escapes", ['say "hi"', "\\", "back\\slash", "$HOME", "`id`", "a\\\"b"]],
    ["shell syntax taken literally", ["a;b", "x|y", "&&", "> out", "*", "~", "#not-a-comment", "(x)"]],
    ["empty words and white space", ["", "\t", "\n", "line\nbreak"]],
    ["non-ASCII", ["café", "données/é", "🙂"]],
  ])("gives back the same words: %s", (_what, argv) => {
    expect(splitCommandLine(joinCommandLine(argv))).toEqual({ ok: true, argv });
  });

  it("leaves a word that needs no quoting as it is, so the line stays readable", () => {
    expect(joinCommandLine(["/usr/bin/node", "--import", "tsx", "server.ts", "key=value,more@host:1"])).toBe("/usr/bin/node --import tsx server.ts key=value,more@host:1");
  });

  it("quotes a word with a space in single quotes", () => {
    expect(joinCommandLine(["/opt/my tools/server"])).toBe("'/opt/my tools/server'");
  });
});
