/**
 * The shape of a setup step and the runner that drives them: context → step → step → summary.
 * Each step finds what exists (reads only), creates or updates what is missing (the only place
 * that writes), and verifies; the state is saved after every step so an interruption resumes.
 */
import type { RunContext } from "../run/context";

export interface StepPlan {
  /** What `create` will change, one line each; empty when everything is in place. */
  work: string[];
}

export interface Step<P extends StepPlan = StepPlan> {
  name: string;
  /** A step that never writes (it only checks or prints). */
  readOnly?: boolean;
  find(ctx: RunContext): Promise<P>;
  create(ctx: RunContext, plan: P): Promise<void>;
  verify(ctx: RunContext, plan: P): Promise<void>;
}

export interface StepReport {
  n: number;
  name: string;
  /** What was changed (empty when the step found everything in place). */
  changes: string[];
}

/**
 * Runs the steps in order, printing "Step n of N" and saving the state after each one. `total` is
 * N when only the first steps of a longer list run (the web wizard runs them one screen at a time).
 */
export async function runSteps(ctx: RunContext, steps: ReadonlyArray<Step<StepPlan>>, total = steps.length): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const [index, step] of steps.entries()) {
    ctx.checkAbort();
    ctx.deps.reporter.step(index + 1, total, step.name);
    const plan = await step.find(ctx);
    if (plan.work.length > 0) await step.create(ctx, plan);
    else if (!step.readOnly) ctx.deps.reporter.line("✓ nothing to change");
    await ctx.save();
    await step.verify(ctx, plan);
    await ctx.save();
    reports.push({ n: index + 1, name: step.name, changes: plan.work });
  }
  return reports;
}
