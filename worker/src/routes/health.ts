/** /health: a liveness answer for monitors, `{"status":"ok"}` and nothing more. */
import { HEALTH_BODY } from "@mcpbox/shared";

export function health(request: Request): Response {
  return new Response(request.method === "HEAD" ? null : JSON.stringify(HEALTH_BODY), {
    status: 200,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
