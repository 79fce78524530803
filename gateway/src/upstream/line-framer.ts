/**
 * Newline-delimited framing of a byte stream (the MCP stdio transport: one JSON-RPC message per
 * line, UTF-8, no embedded newlines). Chunks are cut at LF without copying; only a line split
 * across chunks is joined. A trailing CR is dropped (as the MCP SDK does), blank lines are skipped,
 * and a line that grows beyond the limit stops the stream: whatever writes it is not speaking MCP.
 */

const LF = 0x0a;

/** The MCP SDK's own limit for one buffered stdio message. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export class LineFramer {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Takes the next chunk; calls `onLine` for every line it completes. False once a line is too long. */
  push(chunk: Buffer): boolean {
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      if (this.size + end - start > this.maxLineBytes) return this.overflow();
      let line: string;
      if (this.size === 0) line = chunk.toString("utf8", start, end);
      else {
        this.parts.push(chunk.subarray(start, end));
        line = Buffer.concat(this.parts, this.size + end - start).toString("utf8");
        this.parts = [];
        this.size = 0;
      }
      start = end + 1;
      if (line.charCodeAt(line.length - 1) === 0x0d) line = line.slice(0, -1);
      if (line.trim() !== "") this.onLine(line);
    }
    if (start < chunk.length) {
      if (this.size + chunk.length - start > this.maxLineBytes) return this.overflow();
      this.parts.push(start === 0 ? chunk : chunk.subarray(start));
      this.size += chunk.length - start;
    }
    return true;
  }

  /** Forgets a partial line. */
  clear(): void {
    this.parts = [];
    this.size = 0;
  }

  private overflow(): false {
    this.clear();
    return false;
  }
}
