/**
 * Loopback ports chosen at run time, for tests and benchmarks: one that nothing listens on, and
 * one that something holds. Servers the test starts itself should listen on port 0 instead.
 */
import net from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago and nothing listens on: for programs that
 * take a port number and cannot report the one they bound, or to see a connection refused.
 */
export async function freePort(): Promise<number> {
  const held = await occupyPort();
  await held.close();
  return held.port;
}

export interface OccupiedPort {
  readonly port: number;
  /** Frees the port. */
  close(): Promise<void>;
}

/** Holds a TCP port on 127.0.0.1 until `close()`, so a program told to use it finds it taken. */
export function occupyPort(): Promise<OccupiedPort> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ port, close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))) });
    });
  });
}
