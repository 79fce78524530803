/**
 * Raw HTTP requests for the tests: the path goes on the wire exactly as written (fetch would
 * normalise `/mcp/../admin`), headers are exactly the ones given, and a body can be sent chunked.
 */
import { request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

export interface RawRequest {
  port: number;
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  /** Sent with Content-Length. */
  body?: string | Buffer;
  /** Sent with Transfer-Encoding: chunked, one write per chunk. */
  chunks?: (string | Buffer)[];
  /** Send no Host header at all. */
  omitHost?: boolean;
}

export function rawRequest(options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = options.omitHost
      ? { ...options.headers }
      : { host: `127.0.0.1:${options.port}`, ...options.headers };
    if (options.body !== undefined) headers["content-length"] = Buffer.byteLength(options.body);
    const req = request(
      {
        host: "127.0.0.1",
        port: options.port,
        method: options.method ?? "GET",
        path: options.path ?? "/mcp",
        headers,
        agent: false,
        setHost: !options.omitHost,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

/** The `error.message` of a JSON-RPC error body (the text an MCP client shows). */
export function errorMessage(response: RawResponse): string {
  const body = response.json as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? "";
}
