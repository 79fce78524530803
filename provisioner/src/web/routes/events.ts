/**
 * The event stream of a run (server-sent events, WHATWG HTML §9.2): every progress event the
 * library reported, then live ones, with ids so a reconnecting browser continues where it was
 * (Last-Event-ID). Event data is JSON that the page's script inserts as text, never as HTML.
 */
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { WizardEnv } from "../app";
import type { RunBoard, RunEvent } from "../runs";

export function eventRoutes(app: Hono<WizardEnv>, board: RunBoard): void {
  app.get("/events", (c) => {
    const runId = Number(c.req.query("run"));
    const from = Math.max(0, Number(c.req.header("last-event-id") ?? c.req.query("from") ?? 0) || 0);
    return streamSSE(c, async (stream) => {
      const run = board.current;
      if (!run || run.id !== runId) {
        await stream.writeSSE({ event: "gone", data: "{}" });
        return;
      }
      const send = (event: RunEvent, index: number) =>
        stream.writeSSE({ id: String(index + 1), event: event.type, data: JSON.stringify(event) });
      if (run.status !== "running") {
        for (const [i, event] of run.events.slice(from).entries()) await send(event, from + i);
        return;
      }
      await new Promise<void>((resolve) => {
        const queue: Array<[RunEvent, number]> = [];
        let unsubscribe = () => {};
        let flushing = Promise.resolve();
        const listener = (event: RunEvent, index: number) => {
          queue.push([event, index]);
          flushing = flushing.then(async () => {
            const next = queue.shift();
            if (!next) return;
            await send(...next);
            if (next[0].type === "finished") {
              unsubscribe();
              resolve();
            }
          });
        };
        unsubscribe = board.subscribe(runId, from, listener);
        stream.onAbort(() => {
          unsubscribe();
          resolve();
        });
      });
    });
  });
}
