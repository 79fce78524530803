/**
 * The policy the benchmark measures: 50 rules, as a household or small team might write them
 * (48 users with tools of their own, one group the benchmark's user belongs to, one deny for
 * everyone), plus a rate limit high enough never to refuse. Every call of the benchmark's user
 * runs the deny patterns and the allow patterns; nothing about it is on a fast path.
 */

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
    lines.push(`  - name: user-${i}`, `    users: [user${i}@example.org, "*@team${i}.example"]`, `    allow:`, `      tools: ["tool${i}-*", "search-${i}"]`, `      resources: ["file:///srv/user${i}/*"]`);
  }
  lines.push("  - name: staff", "    users: [staff]", "    allow:", '      tools: ["get-*", "search*", "echo"]', '      prompts: ["*"]');
  lines.push("  - name: nobody-deletes", '    users: ["*"]', "    deny:", '      tools: ["delete*", "drop-*", "rm-*", "*-destroy"]');
  return `${lines.join("\n")}\n`;
}
