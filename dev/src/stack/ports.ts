/**
 * Port checks before anything starts: each fixed port must be free on 127.0.0.1, else the person
 * gets one clear line naming the variable to change, instead of a stack trace from whichever
 * component happened to bind it first.
 */
import net from "node:net";
import { StackError } from "./errors";

export interface PortClaim {
  /** What listens there, for the message ("the Worker"). */
  label: string;
  /** The environment variable that moves it. */
  variable: string;
  port: number;
}

/** Resolves when every non-zero port can be bound on 127.0.0.1; otherwise throws StackError. */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (claim.port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const probe = net.createServer();
      probe.once("error", (error: NodeJS.ErrnoException) => reject(portError(claim, error)));
      probe.listen({ port: claim.port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve()));
    });
  }
}

/** The StackError for a failed bind of `claim` (EADDRINUSE, EACCES), or the error itself. */
export function portError(claim: PortClaim, error: NodeJS.ErrnoException): Error {
  if (error.code === "EADDRINUSE") {
    return new StackError(
      "port_in_use",
      `port ${claim.port} on 127.0.0.1 (${claim.label}) is already in use. Stop what is using it, or choose another port: ${claim.variable}=<port> npm start`,
      { cause: error },
    );
  }
  if (error.code === "EACCES") {
    return new StackError(
      "port_not_allowed",
      `port ${claim.port} (${claim.label}) needs privileges this user lacks: set ${claim.variable} to a port above 1023`,
      {
        cause: error,
      },
    );
  }
  return error;
}
