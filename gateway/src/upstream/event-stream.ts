/**
 * One HTTP answer of a stdio session as Server-Sent Events (MCP Streamable HTTP): the stream of a
 * POST, which ends once every request it carried is answered, or the session's GET stream. Each
 * JSON-RPC message is one `message` event whose data is the child's own line of JSON, unchanged
 * (a line with a CR, which SSE would read as a line break, is re-serialized instead). Events wait
 * in the stream until the client reads them; a client that left drops them.
 */
import { Readable } from "node:stream";

export class EventStream extends Readable {
  /** Requests of this stream not answered yet (a POST's stream ends when it reaches 0). */
  open = 0;
  private finished = false;

  constructor() {
    super();
  }

  override _read(): void {
    // Events are pushed as the child writes them; nothing to pull.
  }

  /** True once every event is in the stream (the relay then needs no keepalive for it). */
  get complete(): boolean {
    return this.finished;
  }

  /** False once the stream has ended or its client left. */
  get live(): boolean {
    return !this.finished && !this.destroyed;
  }

  /** Adds one message: `json` is its JSON text (the child's line, or a message serialized here). */
  send(json: string): void {
    if (!this.live) return;
    const data = json.includes("\r") ? JSON.stringify(JSON.parse(json)) : json;
    this.push(`event: message\ndata: ${data}\n\n`);
  }

  /** Ends the stream after the events already added. */
  finish(): void {
    if (!this.live) return;
    this.finished = true;
    this.push(null);
  }
}
