/**
 * A minimal Chrome DevTools Protocol client over workerd's inspector WebSocket: enough to start
 * and stop V8's CPU profiler in the probe Worker's isolate.
 */

interface CdpReply {
  id?: number;
  result?: unknown;
  error?: { message?: string };
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export class InspectorSession {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => this.onMessage(String(event.data)));
    socket.addEventListener("close", () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error("the inspector connection closed"));
      this.pending.clear();
    });
  }

  static async connect(url: string): Promise<InspectorSession> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`could not open the inspector at ${url}`)), { once: true });
    });
    return new InspectorSession(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Starts V8's sampling profiler (interval in microseconds). */
  async startProfiling(intervalUs: number): Promise<void> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.send("Profiler.start");
  }

  async stopProfiling(): Promise<CpuProfile> {
    const result = (await this.send("Profiler.stop")) as { profile?: CpuProfile } | undefined;
    if (!result?.profile || !Array.isArray(result.profile.nodes) || !Array.isArray(result.profile.samples)) {
      throw new Error("the inspector returned no CPU profile");
    }
    return result.profile;
  }

  close(): void {
    this.socket.close();
  }

  private onMessage(text: string): void {
    let reply: CdpReply;
    try {
      reply = JSON.parse(text) as CdpReply;
    } catch (error) {
      throw new Error("the inspector sent something that is not JSON", { cause: error });
    }
    if (reply.id === undefined) return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.error) waiter.reject(new Error(`inspector: ${reply.error.message ?? "error"}`));
    else waiter.resolve(reply.result);
  }
}
