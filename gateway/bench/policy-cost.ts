/**
 * The tool policy in the benchmark: 50 rules, as a household or small team might write them (48
 * users with tools of their own, one group the benchmark's user belongs to, one deny for
 * everyone), plus a rate limit high enough never to refuse. Every call of the benchmark's user
 * runs the deny patterns and the allow patterns; nothing about it is on a fast path. Also times
 * the policy's own work per call in-process, free of network and scheduling noise.
 */
import { parseMcpBody } from "../src/jsonrpc/message";
import { decide, subjectOf } from "../src/policy/decide";
import { policyMessagesOf } from "../src/policy/message";
import { parsePolicy } from "../src/policy/parse";
import { RateLimiter } from "../src/policy/rate-limit";

/** A 50-rule policy under which `email` may call `echo`. */
export function benchPolicy(email: string): string {
  const lines = [
    "default: deny",
    "rate_limit: { requests_per_minute: 1000000, burst: 1000000 }",
    "groups:",
    `  staff: [${email}, "*@staff.example"]`,
    "rules:",
  ];
  for (let i = 1; i <= 48; i++) {
    lines.push(
      `  - name: user-${i}`,
      `    users: [user${i}@example.org, "*@team${i}.example"]`,
      `    allow:`,
      `      tools: ["tool${i}-*", "search-${i}"]`,
      `      resources: ["file:///srv/user${i}/*"]`,
    );
  }
  lines.push("  - name: staff", "    users: [staff]", "    allow:", '      tools: ["get-*", "search*", "echo"]', '      prompts: ["*"]');
  lines.push("  - name: nobody-deletes", '    users: ["*"]', "    deny:", '      tools: ["delete*", "drop-*", "rm-*", "*-destroy"]');
  return `${lines.join("\n")}\n`;
}

/**
 * The policy's own work for one `tools/call` of `email`, measured in this process: the caller's
 * rules (cached per policy), the rate-limit bucket, the message view and the decision. Returns
 * CPU microseconds per call over `calls` calls.
 */
export function policyMicrosPerCall(email: string, calls = 200_000): number {
  const parsed = parsePolicy(benchPolicy(email), "bench-policy.yaml");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const { policy } = parsed;
  const body = parseMcpBody(
    new TextEncoder().encode('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"message":"bench"}}}'),
  );
  if (!body.ok) throw new Error(body.message);
  const limiter = new RateLimiter();
  const once = (i: number) => {
    const subject = subjectOf(policy, { email, clientId: null });
    if (subject.rateLimit && !limiter.take(email, subject.rateLimit, 1, i).ok) throw new Error("rate limited");
    for (const message of policyMessagesOf(body.body)) {
      if (message.target && !decide(policy, subject, message.target, undefined).allowed) throw new Error("refused");
    }
  };
  for (let i = 0; i < 20_000; i++) once(i);
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) once(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}
